package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The commands' one JSON mapper: admin API answers and the dev state file. Thread-safe once configured. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
