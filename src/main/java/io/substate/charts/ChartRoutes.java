package io.substate.charts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.RouteGroup;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /v2/projects/{project_id}/charts/{chart_name}}, {@code …/charts/{chart_name}/options} and
 * {@code GET /v2/projects/{project_id}/metrics/overview}, in RevenueCat API v2's shapes ({@code chart_data},
 * {@code chart_options}, {@code overview_metrics}). The USD rates money was converted with are answered in headers
 * (the bodies' schemas allow no other field): {@code Substate-USD-Rates} and {@code Substate-Unconverted-Currencies}.
 */
public final class ChartRoutes implements RouteGroup {
    static final String RATES_HEADER = "Substate-USD-Rates";
    static final String UNCONVERTED_HEADER = "Substate-Unconverted-Currencies";

    private final ChartService charts;
    private final AdminAuth auth;

    public ChartRoutes(ChartService charts, AdminAuth auth) {
        this.charts = charts;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v2/projects/{project_id}/charts/{chart_name}", this::chart);
        routes.get("/v2/projects/{project_id}/charts/{chart_name}/options", this::options);
        routes.get("/v2/projects/{project_id}/metrics/overview", this::overview);
    }

    private void chart(Context ctx) {
        auth.require(ctx);
        ChartRequest request = ChartRequest.of(ctx.queryParam("start_date"), ctx.queryParam("end_date"),
                ctx.queryParam("resolution"), ctx.queryParam("aggregate"), ctx.queryParam("filters"),
                ctx.queryParam("segment"), ctx.queryParam("selectors"), ctx.queryParam("currency"));
        ChartData data = charts.chart(ctx.pathParam("project_id"), ctx.pathParam("chart_name"), request);
        rateHeaders(ctx, data.usdRates(), data.unconvertedCurrencies());
        ctx.json(render(data, request));
    }

    private void options(Context ctx) {
        auth.require(ctx);
        ctx.json(renderOptions(charts.options(ctx.pathParam("project_id"), ctx.pathParam("chart_name"))));
    }

    private void overview(Context ctx) {
        auth.require(ctx);
        ChartRequest.requireUsd(ctx.queryParam("currency"));
        ChartService.Overview overview = charts.overview(ctx.pathParam("project_id"));
        rateHeaders(ctx, overview.usdRates(), overview.unconvertedCurrencies());
        ctx.json(render(overview));
    }

    static ObjectNode render(ChartData data, ChartRequest request) {
        ChartName chart = data.chart();
        ObjectNode node = Json.object();
        node.put("object", "chart_data");
        node.put("category", chart.category);
        node.put("display_type", chart.displayType);
        node.put("display_name", chart.displayName);
        node.put("description", chart.description);
        node.putNull("documentation_link");
        node.put("last_computed_at", data.computedAt());
        node.put("start_date", data.range().start().toEpochDay() * Bucket.DAY_MS);
        node.put("end_date", data.range().end().toEpochDay() * Bucket.DAY_MS);
        node.put("yaxis_currency", "USD");
        node.put("filtering_allowed", false);
        node.put("segmenting_allowed", false);
        node.put("resolution", data.range().resolution().value());
        node.put("yaxis", chart.yaxis());
        ArrayNode values = node.putArray("values");
        if (request.aggregate().isEmpty()) {
            // One object per period, as Substate's chart API has always answered ({date, value}, the last one the
            // current period: clients read it so): RevenueCat's fields for the plotted measure (cohort, measure 0,
            // value, incomplete) and every measure by its id beside them (README, "Charts").
            for (ChartData.Point p : data.values()) {
                ObjectNode v = values.addObject();
                v.put("date", p.date().toString());
                v.put("cohort", p.date().toEpochDay() * Bucket.DAY_MS / 1000);
                v.put("measure", 0);
                putNumber(v, "value", p.values()[0]);
                v.put("incomplete", p.incomplete());
                for (int m = 0; m < p.values().length; m++) {
                    putNumber(v, chart.measures.get(m).id(), p.values()[m]);
                }
            }
        }
        ObjectNode summary = node.putObject("summary");
        data.summary().forEach((operation, byMeasure) -> {
            if (request.aggregate().isEmpty() || request.aggregate().contains(operation)) {
                ObjectNode op = summary.putObject(operation);
                byMeasure.forEach((measure, n) -> putNumber(op, measure, n));
            }
        });
        node.putNull("segments");
        node.putNull("segments_limit");
        ArrayNode measures = node.putArray("measures");
        for (Measure m : chart.measures) {
            ObjectNode measure = measures.addObject();
            measure.put("id", m.id());
            measure.put("display_name", m.displayName());
            measure.put("description", m.description());
            measure.put("unit", m.unit());
        }
        if (data.selectors().isEmpty()) {
            node.putNull("user_selectors");
        } else {
            ObjectNode selectors = node.putObject("user_selectors");
            data.selectors().forEach(selectors::put);
        }
        if (request.unsupportedFilters().isEmpty() && request.unsupportedSegment() == null) {
            node.putNull("unsupported_params");
        } else {
            ObjectNode unsupported = node.putObject("unsupported_params");
            ArrayNode filters = unsupported.putArray("filters");
            request.unsupportedFilters().forEach(filters::add);
            unsupported.put("segment", request.unsupportedSegment());
        }
        return node;
    }

    /** Every resolution; no segments or filters (Substate has none yet); the chart's window selector if any. */
    static ObjectNode renderOptions(ChartName chart) {
        ObjectNode node = Json.object();
        node.put("object", "chart_options");
        ArrayNode resolutions = node.putArray("resolutions");
        for (Resolution r : Resolution.values()) {
            resolutions.addObject().put("id", r.id()).put("display_name", r.value());
        }
        node.putArray("segments");
        node.putArray("filters");
        ChartName.Selector selector = chart.selector();
        if (selector == null) {
            node.putNull("user_selectors");
        } else {
            ObjectNode s = node.putObject("user_selectors").putObject(selector.id());
            s.put("default", selector.defaultWindow().id());
            s.put("display_name", selector.displayName());
            ArrayNode options = s.putArray("options");
            for (Window w : Window.values()) {
                options.addObject().put("id", w.id()).put("display_name", w.displayName());
            }
        }
        return node;
    }

    static ObjectNode render(ChartService.Overview o) {
        ObjectNode node = Json.object();
        node.put("object", "overview_metrics");
        ArrayNode metrics = node.putArray("metrics");
        metric(metrics, o, "active_subscriptions", "Active Subscriptions",
                "Paid, unexpired subscriptions now", "#", "P0D", o.activeSubscriptions());
        metric(metrics, o, "mrr", "MRR", "Monthly recurring revenue of the active subscriptions now, in USD", "$",
                "P0D", o.mrr());
        metric(metrics, o, "active_trials", "Active Trials", "Unexpired free trials now", "#", "P0D", o.activeTrials());
        metric(metrics, o, "revenue", "Revenue", "Revenue of the last 28 days net of refunds, in USD", "$", "P28D",
                o.revenue28Days());
        metric(metrics, o, "new_customers", "New Customers", "Customers first seen in the last 28 days", "#", "P28D",
                o.newCustomers28Days());
        return node;
    }

    private static void metric(ArrayNode metrics, ChartService.Overview o, String id, String name, String description,
            String unit, String period, Number value) {
        ObjectNode m = metrics.addObject();
        m.put("object", "overview_metric");
        m.put("id", id);
        m.put("name", name);
        m.put("description", description);
        m.put("unit", unit);
        m.put("period", period);
        putNumber(m, "value", value);
        m.put("last_updated_at", o.computedAt());
        m.put("last_updated_at_iso8601", Instant.ofEpochMilli(o.computedAt()).toString());
    }

    /** {@code EUR=1.25,USD=1}: the rates used; and the currencies left out of the sums for want of one. */
    private static void rateHeaders(Context ctx, Map<String, BigDecimal> rates, Set<String> unconverted) {
        ctx.header(RATES_HEADER, rates.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().toPlainString()).collect(Collectors.joining(",")));
        if (!unconverted.isEmpty()) {
            ctx.header(UNCONVERTED_HEADER, String.join(",", unconverted));
        }
    }

    private static void putNumber(ObjectNode node, String field, Number n) {
        if (n == null) {
            node.putNull(field);
        } else if (n instanceof BigDecimal d) {
            node.put(field, d);
        } else {
            node.put(field, n.longValue());
        }
    }
}
