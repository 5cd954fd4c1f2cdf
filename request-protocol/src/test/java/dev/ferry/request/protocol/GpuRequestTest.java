package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GpuRequestTest {

    @Test
    void parsesTypesAndCountsCaseInsensitively() {
        assertThat(GpuRequest.parse("h100")).isEqualTo(new GpuRequest("H100", 1));
        assertThat(GpuRequest.parse("A100-80gb:2")).isEqualTo(new GpuRequest("A100-80GB", 2));
        assertThat(GpuRequest.parse("any:8")).isEqualTo(new GpuRequest("ANY", 8));
        assertThat(GpuRequest.parse(" l40s ").toString()).isEqualTo("L40S");
        assertThat(GpuRequest.parse("Any").toString()).isEqualTo("any");
        assertThat(GpuRequest.parse("h200:3").toString()).isEqualTo("H200:3");
    }

    @Test
    void refusesUnknownTypesAndCountsNamingTheValueAndTheAcceptedForms() {
        assertThatThrownBy(() -> GpuRequest.parse("X100"))
                .hasMessageStartingWith(
                        "gpu: \"X100\" (expected: one of T4, L4, A10, L40S, A100, A100-40GB, A100-80GB, H100, H200, B200 or any");
        assertThatThrownBy(() -> GpuRequest.parse("H100:9")).hasMessageContaining("gpu: \"H100:9\" has count \"9\"");
        assertThatThrownBy(() -> GpuRequest.parse("H100:0")).hasMessageContaining("count \"0\"");
        assertThatThrownBy(() -> GpuRequest.parse("H100:")).hasMessageContaining("count \"\"");
        assertThatThrownBy(() -> GpuRequest.parse("H100:two")).hasMessageContaining("count \"TWO\"");
        assertThatThrownBy(() -> GpuRequest.parse("")).hasMessageContaining("gpu: \"\"");
        assertThatThrownBy(() -> GpuRequest.parse(null)).hasMessageContaining("gpu: null");
    }

    @Test
    void fallbackListsKeepTheirOrderAndRefuseRepeats() {
        assertThat(GpuRequest.parseAll(List.of("H100", "a100-80gb:2", "any")))
                .extracting(GpuRequest::toString)
                .containsExactly("H100", "A100-80GB:2", "any");
        assertThatThrownBy(() -> GpuRequest.parseAll(List.of("H100", "h100")))
                .hasMessage("gpu: \"h100\" is listed twice (expected: each fallback once)");
    }

    @Test
    void namesModelsFromWhatNvidiaSmiReports() {
        assertThat(GpuRequest.modelOf("NVIDIA H100 80GB HBM3", 81559)).isEqualTo("H100");
        assertThat(GpuRequest.modelOf("NVIDIA H200", 143771)).isEqualTo("H200");
        assertThat(GpuRequest.modelOf("NVIDIA A100-SXM4-40GB", 40960)).isEqualTo("A100-40GB");
        assertThat(GpuRequest.modelOf("NVIDIA A100-SXM4-80GB", 81920)).isEqualTo("A100-80GB");
        assertThat(GpuRequest.modelOf("NVIDIA A100 80GB PCIe", 81920)).isEqualTo("A100-80GB");
        assertThat(GpuRequest.modelOf("Tesla T4", 15360)).isEqualTo("T4");
        assertThat(GpuRequest.modelOf("NVIDIA A10G", 23028)).isEqualTo("A10");
        assertThat(GpuRequest.modelOf("NVIDIA L4", 23034)).isEqualTo("L4");
        assertThat(GpuRequest.modelOf("NVIDIA L40S", 46068)).isEqualTo("L40S");
        assertThat(GpuRequest.modelOf("NVIDIA B200", 183359)).isEqualTo("B200");
        assertThat(GpuRequest.modelOf("NVIDIA GeForce RTX 4090", 24564)).isEqualTo("GEFORCE-RTX-4090");
    }

    @Test
    void requestsAcceptTheirModels() {
        assertThat(GpuRequest.parse("A100").accepts("A100-40GB")).isTrue();
        assertThat(GpuRequest.parse("A100").accepts("A100-80GB")).isTrue();
        assertThat(GpuRequest.parse("A100-80GB").accepts("A100-40GB")).isFalse();
        assertThat(GpuRequest.parse("H100").accepts("H200")).isFalse();
        assertThat(GpuRequest.parse("any").accepts("GEFORCE-RTX-4090")).isTrue();
    }
}
