package io.substate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's files over HTTP (no browser): stable page paths answer the page, every module it imports exists,
 * nothing points outside the server, and API paths keep their JSON 404s. Files do not depend on the database.
 */
class DashboardFilesTest {
    private static final Pattern IMPORT = Pattern.compile("(?:from\\s+|import\\()\\s*'(\\.{1,2}/[^'\\s]+)'");

    Api http() {
        return TestServer.shared(TestDb.SQLITE).anonymous();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/projects", "/projects/proj1", "/projects/proj1/apps", "/projects/proj1/apps/app1",
            "/projects/proj1/apps/app1/events", "/projects/proj1/customers", "/projects/proj1/customers/user-42",
            "/projects/proj1/customers/$RCAnonymousID:0123456789abcdef0123456789abcdef",
            "/projects/proj1/entitlements", "/projects/proj1/offerings", "/projects/proj1/integrations", "/projects/proj1/charts",
            "/projects/proj1/charts/"})
    void everyStablePageAnswersTheDashboardWithoutCredentials(String path) {
        HttpResponse page = http().get(path);

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/assets/main.js\"></script>");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'");
    }

    @Test
    void everyModuleReachableFromTheEntryIsServedAsJavaScript() {
        Set<String> seen = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(List.of("/assets/main.js"));
        while (!queue.isEmpty()) {
            String module = queue.pop();
            if (!seen.add(module)) {
                continue;
            }
            HttpResponse file = http().get(module);
            assertThat(file.status()).as(module).isEqualTo(200);
            assertThat(file.header("Content-Type")).as(module).startsWith("text/javascript");
            Matcher imports = IMPORT.matcher(file.body());
            while (imports.find()) {
                queue.add(java.net.URI.create("http://x" + module).resolve(imports.group(1)).getPath());
            }
        }
        assertThat(seen).contains("/assets/pages/charts.js", "/assets/vendor/uplot/uPlot.esm.js",
                "/assets/pages/app-settings.js", "/assets/stripe-help.js", "/assets/pages/offerings.js");
    }

    @Test
    void stylesAreServedAndNoFileLoadsAnythingFromAnotherOrigin() {
        HttpResponse css = http().get("/assets/style.css");
        HttpResponse uplotCss = http().get("/assets/vendor/uplot/uPlot.min.css");
        HttpResponse index = http().get("/projects");

        assertThat(css.status()).isEqualTo(200);
        assertThat(css.header("Content-Type")).startsWith("text/css");
        assertThat(uplotCss.status()).isEqualTo(200);
        assertThat(css.body()).doesNotContain("@import", "url(http");
        assertThat(index.body()).doesNotContainPattern("(src|href)=\"(https?:)?//");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/nope.js", "/assets/..%2Fdashboard%2Findex.html", "/assets/main", "/assets/x.class",
            "/assets/vendor/uplot/uPlot.d.ts"})
    void unknownOrForbiddenFilesAreJson404s(String path) {
        HttpResponse response = http().get(path);

        assertThat(response.status()).isIn(400, 404);
        assertThat(response.header("Content-Type")).startsWith("application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/nothing", "/v1/nothing", "/health/nothing", "/metrics/nothing", "/projects/a/b/c/d/e",
            "/v2/projects/proj1/charts/nothing/more"})
    void apiPathsKeepTheirJson404(String path) {
        HttpResponse response = http().get(path);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        // RevenueCat v1 routes answer numeric codes; the others the v2 snake_case code.
        assertThat(response.json().get("code").asText()).isIn("route_not_found", "7226");
    }
}
