package io.substate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar substate.jar <command>}. */
@Command(name = "substate", mixinStandardHelpOptions = true, version = "Substate 0.1.0",
        description = "Self-hosted subscription backend for Stripe with a RevenueCat-compatible API.",
        subcommands = {ServeCommand.class, AdminTokenCommand.class, StripeCommand.class, CustomersCommand.class,
            SecretsCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        int exit = new CommandLine(new Main()).execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
