package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The IN-list helpers: placeholders for n values, and the values spread in place among the other arguments. */
class SqlTest {
    @Test
    void marksHasOnePlaceholderPerValue() {
        assertThat(Sql.marks(1)).isEqualTo("?");
        assertThat(Sql.marks(3)).isEqualTo("?, ?, ?");
    }

    @Test
    void marksRefusesAnEmptyList() {
        // "IN ()" is no SQL on either database: the caller skips the statement instead.
        assertThatThrownBy(() -> Sql.marks(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sql.marks(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paramsSpreadsCollectionsInPlace() {
        assertThat(Sql.params("proj", List.of("a", "b", "c"), 7L))
                .containsExactly("proj", "a", "b", "c", 7L);
        assertThat(Sql.params(List.of("x"), "y", List.of("z1", "z2")))
                .containsExactly("x", "y", "z1", "z2");
        assertThat(Sql.params(Set.of("only"))).containsExactly("only");
    }

    @Test
    void paramsKeepsPlainValuesAndEmptyCollectionsAddNothing() {
        assertThat(Sql.params("a", 1, true)).containsExactly("a", 1, true);
        assertThat(Sql.params("a", List.of(), "b")).containsExactly("a", "b");
        assertThat(Sql.params()).isEmpty();
    }

    @Test
    void paramsLeavesArraysWhole() {
        // A String[] is one PostgreSQL text[] parameter ("= ANY (?)"), not an IN list.
        String[] tokens = {"t1", "t2"};
        assertThat(Sql.params("app", tokens)).containsExactly("app", tokens);
    }

    @Test
    void marksAndParamsLineUp() {
        List<String> ids = List.of("app1", "app2");
        String sql = "SELECT id FROM apps WHERE project_id = ? AND id IN (" + Sql.marks(ids.size()) + ") AND type = ?";
        Object[] args = Sql.params("proj", ids, "stripe");
        assertThat(sql.chars().filter(c -> c == '?').count()).isEqualTo(args.length);
    }
}
