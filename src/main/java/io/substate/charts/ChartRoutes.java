package io.substate.charts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.http.AdminAuth;
import io.substate.common.Json;
import io.substate.http.RouteGroup;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v2/projects/{project_id}/charts/{chart_name}} and {@code GET /v2/projects/{project_id}/metrics/overview}
 * (RevenueCat API v2 shapes; admin token).
 */
public final class ChartRoutes implements RouteGroup {
    private final ChartService charts;
    private final AdminAuth auth;

    public ChartRoutes(ChartService charts, AdminAuth auth) {
        this.charts = charts;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v2/projects/{project_id}/charts/{chart_name}", this::chart);
        routes.get("/v2/projects/{project_id}/metrics/overview", this::overview);
    }

    private void chart(Context ctx) {
        auth.require(ctx);
        ChartData data = charts.chart(ctx.pathParam("project_id"), ctx.pathParam("chart_name"),
                ctx.queryParam("start_date"), ctx.queryParam("end_date"), ctx.queryParam("resolution"));
        ctx.json(render(data));
    }

    private void overview(Context ctx) {
        auth.require(ctx);
        ctx.json(render(charts.overview(ctx.pathParam("project_id"))));
    }

    static ObjectNode render(ChartData data) {
        ChartName chart = data.chart();
        ObjectNode node = Json.object();
        node.put("object", "chart_data");
        node.put("category", chart.category);
        node.put("display_type", chart.displayType);
        node.put("display_name", chart.displayName);
        node.put("description", chart.description);
        node.put("resolution", data.range().resolution().value());
        node.put("start_date", data.range().start().toString());
        node.put("end_date", data.range().end().toString());
        node.put("yaxis", chart.yaxis);
        if (chart.money) {
            node.put("yaxis_currency", "USD");
        } else {
            node.putNull("yaxis_currency");
        }
        node.put("last_computed_at", data.computedAt());
        ArrayNode values = node.putArray("values");
        for (ChartData.Point p : data.values()) {
            ObjectNode v = values.addObject();
            v.put("date", p.date().toString());
            putNumber(v, "value", p.value());
            p.measures().forEach((k, n) -> putNumber(v, k, n));
            if (p.incomplete()) {
                v.put("incomplete", true);
            }
        }
        ObjectNode summary = node.putObject("summary");
        data.summary().forEach((k, n) -> putNumber(summary, k, n));
        if (chart.money) {
            putRates(node, data.usdRates(), data.unconvertedCurrencies());
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
        putRates(node, o.usdRates(), o.unconvertedCurrencies());
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

    private static void putRates(ObjectNode node, Map<String, BigDecimal> rates, Set<String> unconverted) {
        ObjectNode used = node.putObject("usd_rates");
        rates.forEach(used::put);
        if (!unconverted.isEmpty()) {
            ArrayNode missing = node.putArray("unconverted_currencies");
            unconverted.forEach(missing::add);
        }
    }

    private static void putNumber(ObjectNode node, String field, Number n) {
        if (n instanceof BigDecimal d) {
            node.put(field, d);
        } else {
            node.put(field, n.longValue());
        }
    }
}
