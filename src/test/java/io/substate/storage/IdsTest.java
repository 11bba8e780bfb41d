package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {
    private static final long NOV_2026 = 1_795_000_000_000L;

    @Test
    void orderedIdsKeepTheirPrefixAndLengthAndSortByTime() {
        Random random = new Random(7);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            times.add(Math.abs(random.nextLong()) % 200_000_000_000_000L);
        }
        times.add(0L);
        times.add(NOV_2026);
        times.add(NOV_2026 + 1);
        for (long a : times) {
            String idA = Ids.ordered("pur", 16, a);
            assertThat(idA).matches("pur[0-9A-Za-z]{16}");
            for (long b : times.subList(0, 20)) {
                String idB = Ids.ordered("pur", 16, b);
                if (a < b) {
                    assertThat(idA).as("%d before %d", a, b).isLessThan(idB);
                } else if (a > b) {
                    assertThat(idA).as("%d after %d", a, b).isGreaterThan(idB);
                }
            }
        }
    }

    @Test
    void orderedIdsMadeInTheSameMillisecondDifferInTheirRandomPart() {
        var ids = new HashSet<String>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ids.ordered("cust", 16, NOV_2026));
        }
        assertThat(ids).hasSize(10_000);
        assertThat(ids).allSatisfy(id -> assertThat(id).startsWith(Ids.ordered("cust", 9, NOV_2026).substring(0, 12)));
    }

    @Test
    void theServersIdsAreOrderedByCreation() throws InterruptedException {
        String customer = Ids.customerId();
        String purchase = Ids.purchaseId();
        Thread.sleep(2);
        assertThat(Ids.customerId()).isGreaterThan(customer).hasSize(customer.length()).startsWith("cust");
        assertThat(Ids.purchaseId()).isGreaterThan(purchase).hasSize(purchase.length()).startsWith("pur");
    }

    @Test
    void anOrderedIdNeedsARandomPart() {
        assertThatThrownBy(() -> Ids.ordered("x", 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outgoingEventIdsAreUpperCaseVersion7UuidsInTimeOrder() {
        String earlier = Ids.eventId(NOV_2026);
        String later = Ids.eventId(NOV_2026 + 1);
        for (String id : List.of(earlier, later, Ids.eventId())) {
            assertThat(id).matches("[0-9A-F]{8}-[0-9A-F]{4}-7[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
        }
        assertThat(UUID.fromString(earlier).getMostSignificantBits() >>> 16).isEqualTo(NOV_2026);
        assertThat(later).isGreaterThan(earlier);
        assertThat(Ids.eventId(NOV_2026)).isNotEqualTo(earlier);
    }
}
