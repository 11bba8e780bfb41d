package io.substate.customerapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** RevenueCat API v2's customer routes (README, "Customers (API v2)"), for the admin token and the project's keys. */
public final class CustomerApiRoutes implements RouteGroup {
    private static final String CUSTOMERS = "/v2/projects/{project_id}/customers";
    private static final String CUSTOMER = CUSTOMERS + "/{customer_id}";
    private static final int MAX_ATTRIBUTES = 50;

    private final CustomerApiService customers;
    private final AdminAuth auth;

    public CustomerApiRoutes(CustomerApiService customers, AdminAuth auth) {
        this.customers = customers;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(CUSTOMERS, this::list);
        routes.post(CUSTOMERS, this::create);
        routes.get(CUSTOMER, this::get);
        routes.delete(CUSTOMER, this::delete);
        routes.get(CUSTOMER + "/aliases", this::aliases);
        routes.get(CUSTOMER + "/attributes", this::attributes);
        routes.post(CUSTOMER + "/attributes", this::setAttributes);
        routes.get(CUSTOMER + "/active_entitlements", this::activeEntitlements);
        routes.post(CUSTOMER + "/actions/transfer", this::transfer);
    }

    private void list(Context ctx) {
        auth.require(ctx);
        String search = ctx.queryParam("search");
        if (search != null && (search.isEmpty() || search.length() > 255)) {
            throw ApiException.invalid("Query parameter 'search' must have 1 to 255 characters");
        }
        Page<Customer> page = customers.list(ctx.pathParam("project_id"), search, Page.startingAfter(ctx),
                Page.limit(ctx));
        Map<String, String> kept = new LinkedHashMap<>();
        if (ctx.queryParam("limit") != null) {
            kept.put("limit", ctx.queryParam("limit"));
        }
        if (search != null) {
            kept.put("search", search);
        }
        write(ctx, 200, page.toJson(ctx.path(), kept, CustomerObject::row, Customer::originalAppUserId));
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("id", "attributes");
        String id = body.requiredString("id");
        List<CustomerApiService.AttributeInput> attributes = body.has("attributes") && !body.isNull("attributes")
                ? attributes(body.node().get("attributes"), false) : List.of();
        write(ctx, 201, customers.create(ctx.pathParam("project_id"), id, attributes));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        write(ctx, 200, customers.get(ctx.pathParam("project_id"), ctx.pathParam("customer_id"), expandsAttributes(ctx)));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        write(ctx, 200, customers.delete(ctx.pathParam("project_id"), ctx.pathParam("customer_id")));
    }

    private void aliases(Context ctx) {
        auth.require(ctx);
        var owned = customers.aliases(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                Page.startingAfter(ctx), Page.limit(ctx));
        write(ctx, 200, owned.page().toJson(ctx, CustomerObject::alias, CustomerStore.Alias::appUserId));
    }

    private void attributes(Context ctx) {
        auth.require(ctx);
        var owned = customers.attributes(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                Page.startingAfter(ctx), Page.limit(ctx));
        write(ctx, 200, owned.page().toJson(ctx, CustomerObject::attribute, CustomerObject.Attribute::name));
    }

    private void setAttributes(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("attributes");
        if (!body.has("attributes") || body.isNull("attributes")) {
            throw ApiException.invalid("Field 'attributes' is required: [{\"name\": \"…\", \"value\": \"…\"}]");
        }
        var owned = customers.setAttributes(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                attributes(body.node().get("attributes"), true), Page.limit(ctx));
        write(ctx, 200, owned.page().toJson(ctx, CustomerObject::attribute, CustomerObject.Attribute::name));
    }

    private void activeEntitlements(Context ctx) {
        auth.require(ctx);
        var owned = customers.activeEntitlements(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                Page.startingAfter(ctx), Page.limit(ctx));
        write(ctx, 200, owned.page().toJson(ctx, CustomerObject::activeEntitlement,
                CustomerObject.ActiveEntitlement::entitlementId));
    }

    private void transfer(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("target_customer_id", "app_ids");
        write(ctx, 200, customers.transfer(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                body.requiredString("target_customer_id"), body.optionalStringList("app_ids")));
    }

    /** {@code expand=attributes} (repeated or comma-separated, as RevenueCat's array parameter); nothing else. */
    private static boolean expandsAttributes(Context ctx) {
        boolean attributes = false;
        for (String value : ctx.queryParams("expand")) {
            for (String part : value.split(",")) {
                if (part.equals("attributes")) {
                    attributes = true;
                } else if (!part.isBlank()) {
                    throw ApiException.invalid("Query parameter 'expand' accepts only 'attributes' (got '" + part + "')");
                }
            }
        }
        return attributes;
    }

    /** {@code [{"name", "value"}]}: 1 to 50 items, each name once; {@code value} null only where it may delete. */
    private static List<CustomerApiService.AttributeInput> attributes(JsonNode array, boolean mayDelete) {
        if (!array.isArray() || array.isEmpty() || array.size() > MAX_ATTRIBUTES) {
            throw ApiException.invalid("Field 'attributes' must be an array of 1 to " + MAX_ATTRIBUTES
                    + " objects {\"name\": \"…\", \"value\": \"…\"}");
        }
        List<CustomerApiService.AttributeInput> inputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isObject()) {
                throw ApiException.invalid("attributes[" + i + "] must be an object {\"name\": \"…\", \"value\": \"…\"}");
            }
            JsonBody attribute = JsonBody.of((ObjectNode) item).allowOnly("name", "value");
            String name = attribute.requiredString("name");
            JsonNode value = item.get("value");
            if (value == null || (value.isNull() && !mayDelete)) {
                throw ApiException.invalid("attributes[" + i + "].value is required (a string"
                        + (mayDelete ? ", or null to delete" : "") + ")");
            }
            if (!value.isNull() && !value.isTextual()) {
                throw ApiException.invalid("attributes[" + i + "].value must be a string" + (mayDelete ? " or null" : ""));
            }
            if (!names.add(name)) {
                throw ApiException.invalid("Attribute '" + name + "' is named twice");
            }
            inputs.add(new CustomerApiService.AttributeInput(name, value.isNull() ? null : value.asText()));
        }
        return inputs;
    }

    private static void write(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
