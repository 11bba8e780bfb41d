import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes pre-signed Stripe webhook deliveries for the benchmark, one per line: {@code <Stripe-Signature>\t<body>}.
 * Pairs of {@code customer.subscription.created} and {@code .updated} events, every event and subscription id
 * unique to this run. Signed now, so they pass the endpoint's 300 s tolerance: generate right before the run.
 *
 * <p>Usage: {@code java bench/SignedWebhooks.java <whsec_…> <count> <out.tsv>}; test-mode events unless
 * {@code BENCH_LIVEMODE=true}.
 */
public final class SignedWebhooks {
    private static final long MONTH = 30L * 24 * 3600;
    /**
     * BENCH_LIVEMODE=true sends live-mode events, as production does: their spans are also matched against the
     * customer's other subscriptions for the resubscription chart (test-mode ones are not).
     */
    private static final boolean LIVEMODE = Boolean.parseBoolean(System.getenv("BENCH_LIVEMODE"));

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length != 3) {
            System.err.println("usage: java SignedWebhooks.java <whsec_…> <count> <out.tsv>");
            System.exit(2);
        }
        String secret = args[0];
        int count = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        long now = System.currentTimeMillis() / 1000;
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

        // Stripe's scheme: HMAC-SHA256 keyed by the whole whsec_… string, over "<t>.<body>", lowercase hex.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int n = 0; n < count; n++) {
                String body = event(run, n, now);
                String signature = hex(mac.doFinal((now + "." + body).getBytes(StandardCharsets.UTF_8)));
                writer.write("t=" + now + ",v1=" + signature);
                writer.write('\t');
                writer.write(body);
                writer.write('\n');
            }
        }
    }

    /** Event n: even n creates subscription n/2, odd n marks it to cancel at period end. */
    private static String event(String run, int n, long now) {
        int sub = n / 2;
        boolean created = n % 2 == 0;
        String subId = "sub_bench" + run + "x" + sub;
        String subscription = "{\"id\":\"" + subId + "\",\"object\":\"subscription\",\"billing_cycle_anchor\":" + now
                + ",\"cancel_at\":null,\"cancel_at_period_end\":" + !created + ",\"canceled_at\":null,"
                + "\"cancellation_details\":{\"comment\":null,\"feedback\":null,\"reason\":null},"
                + "\"collection_method\":\"charge_automatically\",\"created\":" + now + ",\"currency\":\"usd\","
                + "\"customer\":\"cus_bench" + run + "x" + sub + "\",\"ended_at\":null,"
                + "\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_bench" + run + "x" + sub + "\","
                + "\"object\":\"subscription_item\",\"created\":" + now + ",\"current_period_end\":" + (now + MONTH)
                + ",\"current_period_start\":" + now + ",\"metadata\":{},\"price\":{\"id\":\"price_bench_monthly\","
                + "\"object\":\"price\",\"active\":true,\"currency\":\"usd\",\"livemode\":" + LIVEMODE + ","
                + "\"product\":\"prod_bench\",\"recurring\":{\"interval\":\"month\",\"interval_count\":1,"
                + "\"usage_type\":\"licensed\"},\"type\":\"recurring\",\"unit_amount\":999},\"quantity\":1,"
                + "\"subscription\":\"" + subId + "\"}],\"has_more\":false,\"total_count\":1,"
                + "\"url\":\"/v1/subscription_items?subscription=" + subId + "\"},\"latest_invoice\":null,"
                + "\"livemode\":" + LIVEMODE + ",\"metadata\":{},\"pause_collection\":null,\"start_date\":" + now + ","
                + "\"status\":\"active\",\"trial_end\":null,\"trial_start\":null}";
        String previous = created ? "" : ",\"previous_attributes\":{\"cancel_at_period_end\":false}";
        return "{\"id\":\"evt_bench" + run + "x" + n + "\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\","
                + "\"created\":" + (now + (created ? 0 : 1)) + ",\"data\":{\"object\":" + subscription + previous
                + "},\"livemode\":" + LIVEMODE + ",\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},"
                + "\"type\":\"customer.subscription." + (created ? "created" : "updated") + "\"}";
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }
}
