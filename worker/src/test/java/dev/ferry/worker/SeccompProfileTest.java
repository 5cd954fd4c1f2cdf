package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.SeccompProfile.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The filter's BPF program, run by a small interpreter of the classic BPF it uses, against
 * system calls as the kernel hands them over; SandboxTest runs it in real sandboxes.
 */
class SeccompProfileTest {

    private static final int ALLOW = 0x7fff0000;
    private static final int EPERM = 0x00050000 | 1;
    private static final int ENOSYS = 0x00050000 | 38;
    private static final int KILL_PROCESS = 0x80000000;
    /** CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | ...: a thread. */
    private static final long THREAD_FLAGS = 0x3d0f00;

    @Test
    void x86_64DeniesTheListAndNamespacesAndAllowsTheRest() {
        byte[] program = SeccompProfile.bpfProgram(Arch.X86_64);
        int x86 = 0xC000003E;

        assertThat(run(program, x86, 0, 0)).as("read").isEqualTo(ALLOW);
        assertThat(run(program, x86, 101, 0)).as("ptrace").isEqualTo(EPERM);
        assertThat(run(program, x86, 165, 0)).as("mount").isEqualTo(EPERM);
        assertThat(run(program, x86, 321, 0)).as("bpf").isEqualTo(EPERM);
        assertThat(run(program, x86, 246, 0)).as("kexec_load").isEqualTo(EPERM);
        assertThat(run(program, x86, 313, 0)).as("finit_module").isEqualTo(EPERM);
        assertThat(run(program, x86, 56, THREAD_FLAGS)).as("clone of a thread").isEqualTo(ALLOW);
        assertThat(run(program, x86, 56, 0x10000000L | 17))
                .as("clone(CLONE_NEWUSER)")
                .isEqualTo(EPERM);
        assertThat(run(program, x86, 56, 0x40000000L)).as("clone(CLONE_NEWNET)").isEqualTo(EPERM);
        assertThat(run(program, x86, 435, 0)).as("clone3").isEqualTo(ENOSYS);
        assertThat(run(program, x86, 0x40000000 | 101, 0)).as("x32 ptrace").isEqualTo(EPERM);
        assertThat(run(program, 0x40000003, 26, 0)).as("i386 ptrace").isEqualTo(KILL_PROCESS);
    }

    @Test
    void aarch64UsesItsOwnNumbers() {
        byte[] program = SeccompProfile.bpfProgram(Arch.AARCH64);
        int arm = 0xC00000B7;

        assertThat(run(program, arm, 117, 0)).as("ptrace").isEqualTo(EPERM);
        assertThat(run(program, arm, 40, 0)).as("mount").isEqualTo(EPERM);
        assertThat(run(program, arm, 101, 0)).as("nanosleep, x86_64's ptrace").isEqualTo(ALLOW);
        assertThat(run(program, arm, 220, 0x20000000L))
                .as("clone(CLONE_NEWPID)")
                .isEqualTo(EPERM);
        assertThat(run(program, arm, 0x40000000, 0)).as("no x32 rule here").isEqualTo(ALLOW);
        assertThat(run(program, 0xC000003E, 0, 0)).as("another architecture").isEqualTo(KILL_PROCESS);
    }

    @Test
    void runcGetsTheSameListAndOneCloneRulePerNamespaceFlag() {
        Map<String, Object> seccomp = SeccompProfile.ociSeccomp(Arch.X86_64);

        assertThat(seccomp).containsEntry("defaultAction", "SCMP_ACT_ALLOW");
        assertThat(seccomp).containsEntry("architectures", List.of("SCMP_ARCH_X86_64"));
        List<?> rules = (List<?>) seccomp.get("syscalls");
        assertThat(((Map<?, ?>) rules.getFirst()).get("names")).isEqualTo(SeccompProfile.deniedNames());
        assertThat(rules.stream().filter(r -> ((Map<?, ?>) r).get("names").equals(List.of("clone"))))
                .hasSize(Integer.bitCount(SeccompProfile.CLONE_NAMESPACE_FLAGS));
        assertThat(rules.getLast())
                .isEqualTo(Map.of("names", List.of("clone3"), "action", "SCMP_ACT_ERRNO", "errnoRet", 38));
        assertThat(SeccompProfile.ociSeccomp(Arch.AARCH64).get("syscalls").toString())
                .doesNotContain("iopl", "ioperm");
    }

    /** What {@code program} returns for system call {@code nr} of {@code arch} with first argument {@code arg0}. */
    private static int run(byte[] program, int arch, int nr, long arg0) {
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int accumulator = 0;
        for (int pc = 0; ; pc++) {
            int op = code.getShort(pc * 8) & 0xFFFF;
            int jt = code.get(pc * 8 + 2) & 0xFF;
            int jf = code.get(pc * 8 + 3) & 0xFF;
            int k = code.getInt(pc * 8 + 4);
            switch (op) {
                case 0x20 ->
                    accumulator = switch (k) {
                        case 0 -> nr;
                        case 4 -> arch;
                        case 16 -> (int) arg0;
                        default -> throw new AssertionError("load of offset " + k);
                    };
                case 0x15 -> pc += accumulator == k ? jt : jf;
                case 0x35 -> pc += Integer.compareUnsigned(accumulator, k) >= 0 ? jt : jf;
                case 0x45 -> pc += (accumulator & k) != 0 ? jt : jf;
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("instruction " + Integer.toHexString(op));
            }
        }
    }
}
