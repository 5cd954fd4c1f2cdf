package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentitiesTest {

    @Test
    void appNamePrintsAsTheBareNameAndFollowsTheNameRule() {
        assertThat(AppName.of("my-shop")).hasToString("my-shop").isEqualTo(new AppName("my-shop"));
        assertThatThrownBy(() -> AppName.of("My_Shop"))
                .hasMessage(
                        "app: \"My_Shop\" (expected: 1-30 lower-case letters, digits and single hyphens, starting with a letter)");
        assertThatThrownBy(() -> AppName.of(null)).hasMessageStartingWith("app: null (expected: ");
    }

    @Test
    void functionIdParsesAndPrintsItsHostForm() {
        FunctionId id = FunctionId.parse("my-shop--check-out");
        assertThat(id.app()).isEqualTo(AppName.of("my-shop"));
        assertThat(id.name()).isEqualTo("check-out");
        assertThat(id).hasToString("my-shop--check-out").isEqualTo(FunctionId.of("my-shop", "check-out"));
        assertThat(FunctionId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void functionIdRejectsWhatIsNotAppDashDashFunction() {
        for (String bad : new String[] {
            "abc",
            "",
            "--cart",
            "shop--",
            "Shop--cart",
            "shop--cart--x",
            "shop---cart",
            "1shop--cart",
            "shop--cart.localhost",
            "shop--" + "c".repeat(31)
        }) {
            assertThatThrownBy(() -> FunctionId.parse(bad))
                    .as(bad)
                    .hasMessage("function id: \"" + bad + "\" (expected: app--function, both 1-30 lower-case letters, "
                            + "digits and single hyphens, starting with a letter)");
            assertThat(FunctionId.tryParse(bad)).as(bad).isEmpty();
        }
        assertThatThrownBy(() -> FunctionId.parse(null))
                .hasMessageStartingWith("function id: null (expected: app--function");
        assertThat(FunctionId.tryParse(null)).isEmpty();
    }

    @Test
    void functionIdsSortAsTheirPrintedForms() {
        List<String> printed = List.of("a-b--x", "a--z", "a0--b", "ab--c", "a--b-c", "a--b", "b--a");
        List<FunctionId> ids =
                new ArrayList<>(printed.stream().map(FunctionId::parse).toList());
        Collections.sort(ids);
        assertThat(ids)
                .extracting(FunctionId::toString)
                .containsExactlyElementsOf(printed.stream().sorted().toList());
    }

    @Test
    void functionIdMadeOfPartsNamesTheBadPart() {
        assertThatThrownBy(() -> FunctionId.of("shop", "Cart"))
                .hasMessageStartingWith("function: \"Cart\" (expected: 1-30");
        assertThatThrownBy(() -> FunctionId.of("a--b", "cart")).hasMessageStartingWith("app: \"a--b\" (expected: 1-30");
    }

    @Test
    void versionKeyParsesAndPrintsFunctionAtVersion() {
        VersionKey key = VersionKey.parse("shop--cart@v12");
        assertThat(key.function()).isEqualTo(FunctionId.of("shop", "cart"));
        assertThat(key.version()).isEqualTo("v12");
        assertThat(key).hasToString("shop--cart@v12").isEqualTo(VersionKey.of(FunctionId.parse("shop--cart"), "v12"));
        assertThat(VersionKey.parse("shop--cart@1.0_rc-2").version()).isEqualTo("1.0_rc-2");
    }

    @Test
    void versionKeysSortByFunctionThenVersion() {
        List<VersionKey> keys = new ArrayList<>(List.of(
                VersionKey.parse("b--a@v1"),
                VersionKey.parse("a--b@v2"),
                VersionKey.parse("a--b-c@v1"),
                VersionKey.parse("a--b@v10")));
        Collections.sort(keys);
        assertThat(keys)
                .extracting(VersionKey::toString)
                .containsExactly("a--b@v10", "a--b@v2", "a--b-c@v1", "b--a@v1");
    }

    @Test
    void versionKeyRejectsMissingOrMalformedParts() {
        for (String bad : new String[] {
            "shop--cart", "shop--cart@", "shop@v1", "shop--cart@v1@v2", "shop--cart@v 1", "shop--cart@-v1", "@v1"
        }) {
            assertThatThrownBy(() -> VersionKey.parse(bad))
                    .as(bad)
                    .hasMessage(
                            "version key: \"" + bad + "\" (expected: app--function@version, e.g. \"shop--cart@v3\")");
        }
        assertThatThrownBy(() -> VersionKey.of(FunctionId.parse("shop--cart"), ""))
                .hasMessage(
                        "version: \"\" (expected: 1-64 letters, digits, '.', '_' and '-', starting with a letter or a digit, e.g. \"v3\")");
        assertThatThrownBy(() -> VersionKey.of(FunctionId.parse("shop--cart"), "v".repeat(65)))
                .hasMessageStartingWith("version: \"vvv");
    }

    @Test
    void containerIdAcceptsCtAndEightBase32Characters() {
        assertThat(ContainerId.parse("ct-abcz2367"))
                .hasToString("ct-abcz2367")
                .isEqualTo(new ContainerId("ct-abcz2367"));
        for (String bad : new String[] {"ct-abc", "ct-abcdefgh1", "ct-ABCDEFGH", "ct-abcdefg8", "xx-abcdefgh", ""}) {
            assertThatThrownBy(() -> ContainerId.parse(bad))
                    .as(bad)
                    .hasMessage("container id: \"" + bad + "\" (expected: ct- and 8 characters of a-z, 2-7)");
        }
        assertThatThrownBy(() -> ContainerId.parse(null)).hasMessageStartingWith("container id: null (expected:");
    }

    @Test
    void equalIdentitiesFindTheSameMapEntry() {
        Map<Object, String> byKey = new HashMap<>();
        byKey.put(VersionKey.parse("shop--cart@v1"), "cart v1");
        byKey.put(FunctionId.parse("shop--cart"), "cart");
        byKey.put(AppName.of("shop"), "shop");
        assertThat(byKey.get(VersionKey.of(FunctionId.of("shop", "cart"), "v1")))
                .isEqualTo("cart v1");
        assertThat(byKey.get(FunctionId.of(AppName.of("shop"), "cart"))).isEqualTo("cart");
        assertThat(byKey.get(AppName.of("shop"))).isEqualTo("shop");
        assertThat(VersionKey.parse("shop--cart@v1"))
                .isNotEqualTo(VersionKey.parse("shop--cart@v2"))
                .isNotEqualTo(VersionKey.parse("shop--cart-2@v1"));
        assertThat(FunctionId.parse("ab--c")).isNotEqualTo(FunctionId.parse("a--bc"));
    }
}
