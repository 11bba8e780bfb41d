package io.substate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar substate.jar <command>}. */
@Command(name = "substate", mixinStandardHelpOptions = true, version = "Substate 0.1.0",
        description = "Self-hosted subscription backend for Stripe with a RevenueCat-compatible API.",
        subcommands = {ServeCommand.class, AdminTokenCommand.class, StripeCommand.class, CustomersCommand.class,
            SecretsCommand.class})
public final class Main implements Runnable {
    /** The JVM's setting for the common pool's size; an operator's own value (a -D option) is kept. */
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        keepAsyncWorkOnPooledThreads();
        int exit = new CommandLine(new Main()).execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    /**
     * The JDK's HTTP client hands every answer of {@code sendAsync} to {@code CompletableFuture}'s default executor,
     * which on a machine of fewer than three cores (common pool parallelism 1) starts a new thread per task: outgoing
     * deliveries (delivery/HttpPoster) then started and ended hundreds of threads a second. With a parallelism of at
     * least 2, that executor is the common pool, whose threads are reused. Set before anything touches the pool.
     */
    static void keepAsyncWorkOnPooledThreads() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            int cores = Runtime.getRuntime().availableProcessors();
            System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, cores - 1)));
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
