package io.substate.customers;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Database;
import io.substate.testing.TestDb;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestDb.class)
class CustomerStoreTest {
    @Parameter
    TestDb db;

    Database database;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        database.jdbi().useHandle(h -> h.execute("INSERT INTO projects (id, name, secret_api_key, transfer_behavior, "
                + "created_at) VALUES ('proj1', 'P', 'sk_1', 'transfer', 0)"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aCustomerIsReadWithItsAppUserIdsTheOriginalFirstThenOldestFirst() {
        database.jdbi().useHandle(h -> {
            Customer customer = CustomerStore.create(h, "proj1", "user_m", 1_000);
            CustomerStore.addAlias(h, "proj1", "alias_z", customer.id(), 500);
            CustomerStore.addAlias(h, "proj1", "alias_a", customer.id(), 2_000);
            CustomerStore.addAlias(h, "proj1", "alias_b", customer.id(), 2_000);

            CustomerStore.WithAliases found = CustomerStore.findWithAliases(h, customer.id()).orElseThrow();

            assertThat(found.customer()).isEqualTo(customer);
            assertThat(found.aliases()).containsExactly("user_m", "alias_z", "alias_a", "alias_b")
                    .isEqualTo(CustomerStore.aliases(h, customer.id()));
            assertThat(CustomerStore.findWithAliases(h, "cust_missing")).isEmpty();
        });
    }

    @Test
    void aCustomerWithOneAppUserIdHasJustThatOne() {
        database.jdbi().useHandle(h -> {
            Customer customer = CustomerStore.create(h, "proj1", "only_me", 1_000);
            assertThat(CustomerStore.findWithAliases(h, customer.id()).orElseThrow().aliases())
                    .isEqualTo(List.of("only_me"));
        });
    }
}
