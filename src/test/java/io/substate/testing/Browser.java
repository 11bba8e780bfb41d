package io.substate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven by its packaged chromedriver. Selenium Manager never runs (the driver and browser
 * are given by path), and Chromium's files (profile, crash reports, caches) go to a temporary HOME.
 *
 * <p>Either started for one test ({@link #start()}, closed by try-with-resources) or, for a whole test class,
 * registered as an extension ({@code @RegisterExtension static final Browser browser = Browser.perClass();}), which
 * starts it before the class's first test and closes it after its last.
 */
public final class Browser implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private Path home;
    private ChromeDriver driver;

    private Browser() {}

    /** A browser for every test of a class: see the class comment. */
    public static Browser perClass() {
        return new Browser();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        launch();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            close();
        }
    }

    public static boolean installed() {
        return new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    }

    public static Browser start() {
        Browser browser = new Browser();
        browser.launch();
        return browser;
    }

    private void launch() {
        assertThat(installed()).as("Debian chromium and chromium-driver are installed (apt-get install chromium "
                + "chromium-driver), or run without the 'browser' group").isTrue();
        try {
            home = Files.createTempDirectory("substate-chromium");
            System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1366,900", "--user-data-dir=" + home.resolve("profile"));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort()
                    .withEnvironment(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                            "XDG_CACHE_HOME", home.resolve("cache").toString()))
                    .withLogFile(home.resolve("chromedriver.log").toFile())
                    .build();
            driver = new ChromeDriver(service, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Opens {@code page} of {@code server} in a new session and logs in there with the admin token. */
    public void logIn(TestServer server, String page) {
        logOut(server.baseUrl() + "/projects");
        open(server.baseUrl() + page);
        type("admin-token", TestServer.ADMIN_TOKEN);
        click(By.id("login"));
    }

    /** Forgets the admin token, as a new browser tab would. */
    public void logOut(String anyPageUrl) {
        driver.get(anyPageUrl);
        script("sessionStorage.clear()");
    }

    /** Waits for the condition; pages re-render rows, so an element going stale mid-check just means "try again". */
    public <T> T waitFor(Function<WebDriver, T> condition) {
        return waiting().until(condition::apply);
    }

    public WebElement visible(By by) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    public WebElement byId(String id) {
        return visible(By.id(id));
    }

    /** Waits until the element's text contains {@code text}, and returns that text. */
    public String textOf(By by, String text) {
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(by, text));
        return driver.findElement(by).getText();
    }

    public void type(String id, String text) {
        WebElement input = byId(id);
        input.clear();
        input.sendKeys(text);
    }

    public void click(By by) {
        waiting().until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    /** The label text of a form control: every field must have a real one. */
    public String labelOf(String id) {
        byId(id);
        return driver.findElement(By.cssSelector("label[for='" + id + "']")).getText();
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Visible form controls (input, select, textarea) without a label that has text: every field must have one. */
    @SuppressWarnings("unchecked")
    public List<String> unlabelledFields() {
        return (List<String>) script("""
                return [...document.querySelectorAll('input, select, textarea')]
                  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
                  .filter(el => !(el.labels && [...el.labels].some(l => l.textContent.trim())))
                  .map(el => el.id || el.name || el.outerHTML);""");
    }

    /** Runs {@code js}, which calls its last argument when done, and returns what it was called with. */
    public Object asyncScript(String js, Object... args) {
        driver.manage().timeouts().scriptTimeout(WAIT);
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    @Override
    public void close() {
        try {
            driver.quit();
            driver = null;
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory; the OS cleans it eventually
            }
        }
    }
}
