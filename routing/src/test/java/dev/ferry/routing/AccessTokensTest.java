package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.AccessToken.Scope;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessTokensTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private final RoutingStore store = RoutingStore.inMemory();

    @Test
    void aTokenIsItsPrefixIdAndSecretAndTheStoreKeepsOnlyTheSecretsHash() {
        AccessTokens.Issued issued = AccessTokens.issue("ci", EnumSet.of(Scope.DEPLOY), List.of(), T0);

        assertThat(issued.secret()).matches("ferry_[a-z0-9]{12}_[A-Za-z0-9_-]{43}");
        assertThat(issued.secret()).startsWith("ferry_" + issued.token().id() + "_");
        String secretPart = issued.secret().substring(19);
        assertThat(issued.token().secretHash())
                .isEqualTo(AccessTokens.hash(secretPart))
                .doesNotContain(secretPart);
        assertThat(issued.token().toString())
                .isEqualTo("token " + issued.token().id() + " (ci, [deploy])");
        assertThat(issued.toString()).doesNotContain(secretPart);
    }

    @Test
    void verifyAcceptsTheTokenWholeOrAsKeyAndSecretAndNothingElse() {
        AccessTokens.Issued issued = AccessTokens.issue("me", EnumSet.of(Scope.CALL), List.of(), T0);
        store.putToken(issued.token());
        String id = issued.token().id();
        String secret = issued.secret().substring(19);

        assertThat(AccessTokens.verify(store, issued.secret())).contains(issued.token());
        assertThat(AccessTokens.verify(store, id, secret)).contains(issued.token());

        char last = secret.charAt(secret.length() - 1);
        String wrong = secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(AccessTokens.verify(store, id, wrong)).isEmpty();
        assertThat(AccessTokens.verify(store, "ferry_" + id + "_" + wrong)).isEmpty();
        assertThat(AccessTokens.verify(store, "zzzzzzzzzzzz", secret)).isEmpty();
        assertThat(AccessTokens.verify(store, issued.secret() + "x")).isEmpty();
        assertThat(AccessTokens.verify(store, issued.secret().replace("ferry_", "fairy_")))
                .isEmpty();
        assertThat(AccessTokens.verify(store, "")).isEmpty();
        assertThat(AccessTokens.verify(store, (String) null)).isEmpty();
        assertThat(AccessTokens.verify(store, id, null)).isEmpty();

        store.removeToken(id);
        assertThat(AccessTokens.verify(store, issued.secret())).isEmpty();
    }

    @Test
    void scopesIncludeWhatTheyShouldAndCallTokensMayBeLimitedToApps() {
        AccessToken admin = token(EnumSet.of(Scope.ADMIN), List.of());
        AccessToken deploy = token(EnumSet.of(Scope.DEPLOY), List.of());
        AccessToken read = token(EnumSet.of(Scope.READ), List.of());
        AccessToken shop = token(EnumSet.of(Scope.CALL), List.of("shop"));

        assertThat(admin.grants(Scope.READ) && admin.grants(Scope.DEPLOY) && admin.grants(Scope.CALL))
                .isTrue();
        assertThat(admin.mayCall("anything")).isTrue();
        assertThat(deploy.grants(Scope.READ)).isTrue();
        assertThat(deploy.grants(Scope.ADMIN) || deploy.grants(Scope.CALL)).isFalse();
        assertThat(read.grants(Scope.DEPLOY)).isFalse();
        assertThat(shop.mayCall("shop")).isTrue();
        assertThat(shop.mayCall("blog")).isFalse();
        assertThat(shop.grants(Scope.READ)).isFalse();
    }

    @Test
    void badNamesScopesAndAppsAreRefusedNamingThem() {
        assertThatThrownBy(() -> AccessTokens.issue("has space", EnumSet.of(Scope.READ), List.of(), T0))
                .hasMessageStartingWith("token name: \"has space\" (expected: 1-64 letters");
        assertThatThrownBy(() -> AccessTokens.issue("ci", EnumSet.noneOf(Scope.class), List.of(), T0))
                .hasMessage("scopes: [] (expected: at least one)");
        assertThatThrownBy(() -> AccessTokens.issue("ci", EnumSet.of(Scope.CALL), List.of("Bad_App"), T0))
                .hasMessageStartingWith("app: \"Bad_App\"");
        assertThatThrownBy(() -> Scope.parse("root"))
                .hasMessage("scope: \"root\" (expected: read, deploy, admin or call)");
    }

    private static AccessToken token(EnumSet<Scope> scopes, List<String> apps) {
        return AccessTokens.issue("t", scopes, apps, T0).token();
    }
}
