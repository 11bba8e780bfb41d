package io.substate.apps;

import io.substate.storage.Sql;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Apps read inside a caller's transaction, for features that render an app's settings along with their own rows
 * (the subscriber response's {@code management_url}). The apps API's own reads and writes open their handles in
 * {@link AppRepository}.
 */
public final class AppStore {
    private AppStore() {}

    /**
     * The {@code management_url} of each of {@code appIds} that exists, by app id; the value is null where the app has
     * none. Empty for no ids.
     */
    public static Map<String, String> managementUrls(Handle h, Collection<String> appIds) {
        Map<String, String> urls = new HashMap<>();
        if (appIds.isEmpty()) {
            return urls; // IN () is no SQL
        }
        Sql.list(h, "SELECT id, management_url FROM apps WHERE id IN (" + Sql.marks(appIds.size()) + ")",
                        rs -> new String[] {rs.getString(1), rs.getString(2)}, Sql.params(appIds))
                .forEach(row -> urls.put(row[0], row[1]));
        return urls;
    }

    /** Every app's id, in id order (the retention job walks each app's event log by its index). */
    public static java.util.List<String> ids(Handle h) {
        return Sql.list(h, "SELECT id FROM apps ORDER BY id", rs -> rs.getString(1));
    }
}
