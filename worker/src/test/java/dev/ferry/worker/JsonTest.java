package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesNestedValuesAndEscapesStrings() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "a\"b\\c\n\u0001");
        value.put("n", 42L);
        value.put("b", true);
        value.put("l", List.of(1, "x"));
        value.put("e", Map.of());
        value.put("z", List.of());

        assertThat(Json.write(value)).isEqualTo("""
                {
                  "s": "a\\"b\\\\c\\n\\u0001",
                  "n": 42,
                  "b": true,
                  "l": [
                    1,
                    "x"
                  ],
                  "e": {},
                  "z": []
                }
                """);
    }

    @Test
    void refusesWhatItCannotWrite() {
        assertThatThrownBy(() -> Json.write(List.of(1.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not writable as JSON: java.lang.Double");
    }
}
