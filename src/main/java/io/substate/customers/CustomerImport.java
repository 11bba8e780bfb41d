package io.substate.customers;

import io.substate.common.ApiException;
import io.substate.customers.CustomerStore.StoredAttribute;
import io.substate.storage.GroupCommit;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Customers moved over from RevenueCat (README, "Moving customers over from RevenueCat"): a CSV with a header,
 * {@code app_user_id}, optional {@code aliases} ({@value #ALIAS_SEPARATOR}-separated) and one column per attribute.
 * Each row is its own transaction: it creates the customer if missing, adds its aliases and sets its attributes with
 * the v1 attribute rules ({@link SubscriberAttributes}). A bad row is reported with its line and written not at all;
 * an alias owned by another customer is a bad row, never a silent merge. Values already stored are left as they are,
 * so a second run changes nothing.
 */
public final class CustomerImport {
    public static final String ID_COLUMN = "app_user_id";
    public static final String ALIASES_COLUMN = "aliases";
    public static final String ALIAS_SEPARATOR = "|";

    private final GroupCommit commits;
    private final Clock clock;

    public CustomerImport(GroupCommit commits, Clock clock) {
        this.commits = commits;
        this.clock = clock;
    }

    /** What an import did. {@code stopped} is set when the file could not be read to its end. */
    public record Summary(int rows, int created, int updated, int unchanged, int skipped, String stopped) {
        public String message() {
            return rows + " rows: " + created + " created, " + updated + " updated, " + unchanged + " unchanged, "
                    + skipped + " skipped" + (stopped == null ? "" : "; stopped: " + stopped);
        }
    }

    private enum Outcome { CREATED, UPDATED, UNCHANGED }

    /** A row refused inside its transaction, which is then rolled back. */
    private static final class BadRow extends RuntimeException {
        BadRow(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Imports every row of {@code csv} into the project; {@code report} receives one line per skipped row
     * ({@code line N: reason}).
     */
    public Summary run(String projectId, Reader csv, Consumer<String> report) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(false).setTrim(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).build();
        int rows = 0;
        int created = 0;
        int updated = 0;
        int unchanged = 0;
        int skipped = 0;
        try (CSVParser parser = format.parse(csv)) {
            List<String> header = parser.getHeaderNames();
            if (!header.contains(ID_COLUMN)) {
                throw new IllegalArgumentException("the header (line 1) has no '" + ID_COLUMN + "' column");
            }
            List<String> attributeColumns = header.stream()
                    .filter(name -> !name.equals(ID_COLUMN) && !name.equals(ALIASES_COLUMN)).toList();
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                long line = parser.getCurrentLineNumber() + 1;
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    return new Summary(rows, created, updated, unchanged, skipped,
                            "line " + line + ": the CSV is malformed (" + e.getMessage() + ")");
                }
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue; // a blank line
                }
                rows++;
                try {
                    switch (importRow(projectId, record, attributeColumns)) {
                        case CREATED -> created++;
                        case UPDATED -> updated++;
                        case UNCHANGED -> unchanged++;
                    }
                } catch (BadRow | ApiException e) {
                    skipped++;
                    report.accept("line " + line + ": " + e.getMessage());
                }
            }
        }
        return new Summary(rows, created, updated, unchanged, skipped, null);
    }

    private Outcome importRow(String projectId, CSVRecord record, List<String> attributeColumns) {
        if (!record.isConsistent()) {
            throw new BadRow("the row has " + record.size() + " fields, the header " + record.getParser()
                    .getHeaderNames().size());
        }
        Map<String, String> values = record.toMap();
        String appUserId = AppUserIds.require(emptyToNull(values.get(ID_COLUMN)), ID_COLUMN);
        Set<String> aliases = new LinkedHashSet<>();
        String aliasCell = values.getOrDefault(ALIASES_COLUMN, "");
        if (!aliasCell.isEmpty()) {
            Arrays.stream(aliasCell.split("\\" + ALIAS_SEPARATOR)).map(String::trim).filter(a -> !a.isEmpty())
                    .forEach(alias -> aliases.add(AppUserIds.require(alias, ALIASES_COLUMN)));
        }
        aliases.remove(appUserId);
        List<String> columns = attributeColumns.stream().filter(name -> !values.get(name).isEmpty()).toList();
        return commits.execute(appUserId, h -> {
            long now = clock.millis();
            Optional<Customer> existing = CustomerStore.findByAppUserId(h, projectId, appUserId);
            Customer customer = existing.orElseGet(() -> CustomerStore.create(h, projectId, appUserId, now));
            boolean changed = false;
            for (String alias : aliases) {
                Optional<Customer> owner = CustomerStore.findByAppUserId(h, projectId, alias);
                if (owner.isEmpty()) {
                    CustomerStore.addAlias(h, projectId, alias, customer.id(), now);
                    changed = true;
                } else if (!owner.get().id().equals(customer.id())) {
                    throw new BadRow("alias '" + alias + "' belongs to another customer (App User ID '"
                            + owner.get().originalAppUserId() + "'); not merged");
                }
            }
            Map<String, StoredAttribute> stored = CustomerStore.attributes(h, customer.id());
            List<SubscriberAttributes.Change> changes = new ArrayList<>();
            for (String name : columns) {
                StoredAttribute current = stored.get(name);
                if (current == null || !current.value().equals(values.get(name))) {
                    changes.add(new SubscriberAttributes.Change(name, values.get(name), now));
                }
            }
            List<SubscriberAttributes.AttributeError> errors = SubscriberAttributes.apply(h, customer.id(), changes);
            if (!errors.isEmpty()) {
                throw new BadRow(String.join("; ", errors.stream()
                        .map(e -> "attribute '" + e.key_name() + "': " + e.message()).toList()));
            }
            changed |= !changes.isEmpty();
            return existing.isEmpty() ? Outcome.CREATED : changed ? Outcome.UPDATED : Outcome.UNCHANGED;
        });
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
