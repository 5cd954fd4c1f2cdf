package dev.ferry.controller;

import dev.ferry.routing.ContainerLogs;

/**
 * The admin API's paths and limits, shared by the controller that serves it and the
 * {@code ferry} commands that call it.
 */
public final class AdminApi {

    /** {@code GET /v1/logs/APP?tail=N&follow=…}: an app's container output ({@link LogsHandler}). */
    public static final String LOGS_PATH = "/v1/logs/";
    /** {@code GET} and {@code POST /v1/scale/APP/FUNCTION}: scaling in force, or a change ({@link ScaleHandler}). */
    public static final String SCALE_PATH = "/v1/scale/";
    /** {@code GET}, {@code POST /v1/tokens} and {@code DELETE /v1/tokens/ID}: access tokens ({@link TokensHandler}). */
    public static final String TOKENS_PATH = "/v1/tokens/";
    /**
     * {@code GET /v1/secrets}: names and keys; {@code PUT} and {@code DELETE /v1/secrets/NAME}:
     * set (a JSON object of KEY → VALUE) or remove one ({@link SecretsHandler}).
     */
    public static final String SECRETS_PATH = "/v1/secrets";
    /** Lines of output answered before following, unless the call asks for another number. */
    public static final int DEFAULT_TAIL = 100;
    /** The most lines a call may ask for: what the store keeps per app. */
    public static final int MAX_TAIL = ContainerLogs.CAPACITY;

    private AdminApi() {}
}
