package io.substate.charts;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chart request's query parameters as RevenueCat's API names them. Dates and resolution are checked by
 * {@link ChartRange}; {@code filters} and {@code segment} are read only to be named back as unsupported (Substate
 * segments and filters nothing yet); {@code selectors} must name the chart's own selector.
 */
record ChartRequest(String startDate, String endDate, String resolution, Set<String> aggregate,
        List<String> unsupportedFilters, String unsupportedSegment, Map<String, String> selectors) {

    private static final Set<String> AGGREGATES = Set.of("average", "total");

    static ChartRequest of(String startDate, String endDate, String resolution, String aggregate, String filters,
            String segment, String selectors, String currency) {
        requireUsd(currency);
        return new ChartRequest(startDate, endDate, resolution, aggregate(aggregate), filterNames(filters),
                segment == null || segment.isBlank() ? null : segment.trim(), selectors(selectors));
    }

    /** RevenueCat's {@code currency} parameter: money is converted to USD only. */
    static void requireUsd(String currency) {
        if (currency != null && !currency.isBlank() && !currency.trim().equalsIgnoreCase("USD")) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "currency: Substate answers money in USD only (got '"
                    + currency + "')");
        }
    }

    private static Set<String> aggregate(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<String> result = new LinkedHashSet<>();
        for (String op : value.split(",")) {
            String name = op.trim();
            if (!AGGREGATES.contains(name)) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "aggregate must list average and/or total (got '"
                        + value + "')");
            }
            result.add(name);
        }
        return result;
    }

    private static List<String> filterNames(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        JsonNode filters = parse("filters", value);
        if (!filters.isArray()) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER,
                    "filters must be a JSON array of {\"name\", \"values\"}");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode filter : filters) {
            if (!filter.isObject() || !filter.path("name").isTextual()) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "each filter must be {\"name\", \"values\"}");
            }
            names.add(filter.get("name").asText());
        }
        return names;
    }

    private static Map<String, String> selectors(String value) {
        if (value == null || value.isBlank()) {
            return Map.of();
        }
        JsonNode selectors = parse("selectors", value);
        if (!selectors.isObject()) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "selectors must be a JSON object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        selectors.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
        return result;
    }

    private static JsonNode parse(String name, String value) {
        try {
            return Json.MAPPER.readTree(value);
        } catch (Exception e) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, name + " must be JSON (got '" + value + "')");
        }
    }

    /** The chart's window selector's value: the one asked for, or its default. */
    Window window(ChartName chart) {
        ChartName.Selector selector = chart.selector();
        for (String key : selectors.keySet()) {
            if (selector == null || !selector.id().equals(key)) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "The chart " + chart.value() + " has "
                        + (selector == null ? "no selectors" : "one selector, " + selector.id()) + " (got '" + key
                        + "')");
            }
        }
        if (selector == null) {
            return null;
        }
        String asked = selectors.get(selector.id());
        return asked == null ? selector.defaultWindow() : Window.parse(asked).orElseThrow(() -> new ApiException(
                ErrorCode.INVALID_PARAMETER, selector.id() + " must be one of " + Window.ids() + " (got '" + asked
                        + "')"));
    }
}
