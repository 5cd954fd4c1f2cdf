package dev.ferry.cli;

import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every role command ({@code ferry gateway}, {@code ferry controller}, {@code ferry worker})
 * takes to join its cluster: the store ({@code --redis}, {@code --cluster}, {@code --redis-wait}),
 * {@code --id} and {@code --home}, declared once. The description of {@code --id} names the
 * command's role; a role whose default id differs describes it under {@code ferry.<command>.id}
 * in {@code Help.properties}.
 */
final class RoleOptions {

    @Mixin
    StoreOptions store;

    @Mixin
    HomeOption home;

    @Option(names = "--id", description = "This ${COMMAND-NAME}'s id (default: ${COMMAND-NAME}-<hostname>-<pid>).")
    String id;

    /** The id given, else the role's default. */
    String id(Supplier<String> roleDefault) {
        return id != null ? id : roleDefault.get();
    }
}
