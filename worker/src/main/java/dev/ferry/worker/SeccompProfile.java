package dev.ferry.worker;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The system calls a bwrap or runc container may not make, and the two forms the sandboxes take
 * them in: a classic BPF program for {@code bwrap --seccomp} ({@link #bpfProgram}) and the
 * {@code linux.seccomp} section of an OCI config for runc ({@link #ociSeccomp}). Everything
 * else is allowed; a denied call fails with {@code EPERM}, as it would for a process without
 * the privilege, so software that probes for a feature sees "not permitted" rather than dying.
 *
 * <p>What is denied, and why a JVM does not miss it:
 *
 * <ul>
 *   <li>file systems: {@code mount}, {@code umount2}, {@code pivot_root}, {@code chroot} and the
 *       new mount API ({@code open_tree}, {@code move_mount}, {@code fsopen}, {@code fsconfig},
 *       {@code fsmount}, {@code fspick}, {@code mount_setattr});
 *   <li>other processes: {@code ptrace}, {@code process_vm_readv}, {@code process_vm_writev},
 *       {@code kcmp};
 *   <li>the kernel: {@code kexec_load}, {@code kexec_file_load}, {@code init_module},
 *       {@code finit_module}, {@code delete_module}, {@code bpf}, {@code perf_event_open},
 *       {@code userfaultfd}, {@code io_uring_*} (a large attack surface; Ferry's transport is
 *       epoll), {@code lookup_dcookie}, {@code syslog}, the x86 port calls {@code iopl} and
 *       {@code ioperm};
 *   <li>the machine: {@code reboot}, {@code swapon}, {@code swapoff}, {@code acct},
 *       {@code quotactl}, {@code quotactl_fd}, the clock ({@code settimeofday},
 *       {@code clock_settime}, {@code adjtimex}, {@code clock_adjtime}), {@code sethostname},
 *       {@code setdomainname}, {@code vhangup};
 *   <li>the kernel's key rings ({@code add_key}, {@code request_key}, {@code keyctl}) and file
 *       handles ({@code name_to_handle_at}, {@code open_by_handle_at}: the latter reads files by
 *       inode past any mount);
 *   <li>new namespaces: {@code setns}, {@code unshare}, and {@code clone} with any
 *       {@code CLONE_NEW*} flag. A new user namespace would give the process every capability
 *       inside it, and with them the mount and other calls above. {@code clone3} takes its flags
 *       in memory that a filter cannot read, so it fails with {@code ENOSYS}: the C library then
 *       falls back to {@code clone} (as under Docker's default profile), so threads and
 *       {@code ProcessBuilder} work as before.
 * </ul>
 *
 * Without capabilities the kernel would refuse most of these anyway; the filter takes away the
 * attack surface of the code behind them (bpf, io_uring, user namespaces and key rings have
 * each had privilege escalations reachable without capabilities). Immutable.
 */
final class SeccompProfile {

    /** A system call by name, with its number on x86_64 and on aarch64 (-1: it has none there). */
    private record Syscall(String name, int x86_64, int aarch64) {}

    private static final List<Syscall> DENIED = List.of(
            new Syscall("mount", 165, 40),
            new Syscall("umount2", 166, 39),
            new Syscall("pivot_root", 155, 41),
            new Syscall("chroot", 161, 51),
            new Syscall("open_tree", 428, 428),
            new Syscall("move_mount", 429, 429),
            new Syscall("fsopen", 430, 430),
            new Syscall("fsconfig", 431, 431),
            new Syscall("fsmount", 432, 432),
            new Syscall("fspick", 433, 433),
            new Syscall("mount_setattr", 442, 442),
            new Syscall("ptrace", 101, 117),
            new Syscall("process_vm_readv", 310, 270),
            new Syscall("process_vm_writev", 311, 271),
            new Syscall("kcmp", 312, 272),
            new Syscall("kexec_load", 246, 104),
            new Syscall("kexec_file_load", 320, 294),
            new Syscall("init_module", 175, 105),
            new Syscall("finit_module", 313, 273),
            new Syscall("delete_module", 176, 106),
            new Syscall("bpf", 321, 280),
            new Syscall("perf_event_open", 298, 241),
            new Syscall("userfaultfd", 323, 282),
            new Syscall("io_uring_setup", 425, 425),
            new Syscall("io_uring_enter", 426, 426),
            new Syscall("io_uring_register", 427, 427),
            new Syscall("lookup_dcookie", 212, 18),
            new Syscall("syslog", 103, 116),
            new Syscall("iopl", 172, -1),
            new Syscall("ioperm", 173, -1),
            new Syscall("reboot", 169, 142),
            new Syscall("swapon", 167, 224),
            new Syscall("swapoff", 168, 225),
            new Syscall("acct", 163, 89),
            new Syscall("quotactl", 179, 60),
            new Syscall("quotactl_fd", 443, 443),
            new Syscall("settimeofday", 164, 170),
            new Syscall("clock_settime", 227, 112),
            new Syscall("adjtimex", 159, 171),
            new Syscall("clock_adjtime", 305, 266),
            new Syscall("sethostname", 170, 161),
            new Syscall("setdomainname", 171, 162),
            new Syscall("vhangup", 153, 58),
            new Syscall("add_key", 248, 217),
            new Syscall("request_key", 249, 218),
            new Syscall("keyctl", 250, 219),
            new Syscall("name_to_handle_at", 303, 264),
            new Syscall("open_by_handle_at", 304, 265),
            new Syscall("setns", 308, 268),
            new Syscall("unshare", 272, 97));

    private static final Syscall CLONE = new Syscall("clone", 56, 220);
    private static final Syscall CLONE3 = new Syscall("clone3", 435, 435);

    /**
     * {@code CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
     * CLONE_NEWPID | CLONE_NEWNET}: the flags of {@code clone} that make a namespace.
     */
    static final int CLONE_NAMESPACE_FLAGS =
            0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    static final int EPERM = 1;
    static final int ENOSYS = 38;

    /** The architectures the profile knows, as the kernel's audit arch ({@code AUDIT_ARCH_*}). */
    enum Arch {
        X86_64(0xC000003E, "SCMP_ARCH_X86_64"),
        AARCH64(0xC00000B7, "SCMP_ARCH_AARCH64");

        final int auditArch;
        final String ociName;

        Arch(int auditArch, String ociName) {
            this.auditArch = auditArch;
            this.ociName = ociName;
        }

        int number(Syscall syscall) {
            return this == X86_64 ? syscall.x86_64() : syscall.aarch64();
        }

        /**
         * The architecture of this JVM ({@code os.arch}).
         *
         * @throws IllegalStateException on another one: a sandbox without its filter would be
         *     weaker than it says
         */
        static Arch current() {
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            return switch (arch) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64", "arm64" -> AARCH64;
                default ->
                    throw new IllegalStateException("seccomp profile: architecture " + arch
                            + " (expected: amd64 or aarch64, whose system call numbers Ferry knows)");
            };
        }
    }

    // Classic BPF, as <linux/filter.h> and <linux/seccomp.h> define it.
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short JSET_K = 0x45;
    private static final short RET_K = 0x06;
    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int RET_ALLOW = 0x7fff0000;
    /** Offsets into {@code struct seccomp_data}. */
    private static final int NR = 0, ARCH = 4, ARG0_LOW = 16;
    /** The x32 ABI's system calls on x86_64 have this bit set in their number. */
    private static final int X32_SYSCALL_BIT = 0x40000000;

    private SeccompProfile() {}

    /** The names of the system calls denied outright (besides {@code clone} with namespace flags, and {@code clone3}). */
    static List<String> deniedNames() {
        return DENIED.stream().map(Syscall::name).toList();
    }

    /**
     * The filter as {@code bwrap --seccomp FD} reads it: an array of {@code struct sock_filter}
     * in the machine's byte order. A system call of another architecture than {@code arch} (a
     * 32-bit {@code int 0x80} on x86_64) kills the process; on x86_64 the x32 ABI fails with
     * {@code EPERM}.
     */
    static byte[] bpfProgram(Arch arch) {
        List<long[]> program = new ArrayList<>();
        program.add(op(LD_W_ABS, 0, 0, ARCH));
        program.add(op(JEQ_K, 1, 0, arch.auditArch));
        program.add(op(RET_K, 0, 0, RET_KILL_PROCESS));
        program.add(op(LD_W_ABS, 0, 0, NR));
        if (arch == Arch.X86_64) {
            program.add(op(JGE_K, 0, 1, X32_SYSCALL_BIT));
            program.add(op(RET_K, 0, 0, RET_ERRNO | EPERM));
        }
        for (Syscall syscall : DENIED) {
            int number = arch.number(syscall);
            if (number >= 0) {
                program.add(op(JEQ_K, 0, 1, number));
                program.add(op(RET_K, 0, 0, RET_ERRNO | EPERM));
            }
        }
        program.add(op(JEQ_K, 0, 1, arch.number(CLONE3)));
        program.add(op(RET_K, 0, 0, RET_ERRNO | ENOSYS));
        // clone(flags, ...): flags is the first argument on both architectures; its low 32 bits
        // hold every CLONE_NEW* flag.
        program.add(op(JEQ_K, 0, 3, arch.number(CLONE)));
        program.add(op(LD_W_ABS, 0, 0, ARG0_LOW));
        program.add(op(JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS));
        program.add(op(RET_K, 0, 0, RET_ERRNO | EPERM));
        program.add(op(RET_K, 0, 0, RET_ALLOW));

        ByteBuffer bytes = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.nativeOrder());
        for (long[] instruction : program) {
            bytes.putShort((short) instruction[0])
                    .put((byte) instruction[1])
                    .put((byte) instruction[2])
                    .putInt((int) instruction[3]);
        }
        return bytes.array();
    }

    private static long[] op(short code, int jt, int jf, int k) {
        return new long[] {code, jt, jf, k & 0xFFFFFFFFL};
    }

    /**
     * The OCI config's {@code linux.seccomp} for runc: allow by default, the same calls denied
     * with {@code EPERM}, {@code clone} with any namespace flag denied (one rule per flag: a
     * rule's argument conditions all have to hold), {@code clone3} failing with {@code ENOSYS}.
     * Only {@code arch}'s own system calls are allowed; libseccomp kills a process that makes
     * one of another architecture.
     */
    static Map<String, Object> ociSeccomp(Arch arch) {
        List<Object> syscalls = new ArrayList<>();
        List<String> names = DENIED.stream()
                .filter(s -> arch.number(s) >= 0)
                .map(Syscall::name)
                .toList();
        syscalls.add(rule(names, EPERM, null));
        for (int bit = 0; bit < 32; bit++) {
            long flag = 1L << bit;
            if ((CLONE_NAMESPACE_FLAGS & flag) != 0) {
                Map<String, Object> condition = new LinkedHashMap<>();
                condition.put("index", 0);
                condition.put("value", flag);
                condition.put("valueTwo", flag);
                condition.put("op", "SCMP_CMP_MASKED_EQ");
                syscalls.add(rule(List.of(CLONE.name()), EPERM, condition));
            }
        }
        syscalls.add(rule(List.of(CLONE3.name()), ENOSYS, null));
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.put("architectures", List.of(arch.ociName));
        seccomp.put("syscalls", syscalls);
        return seccomp;
    }

    private static Map<String, Object> rule(List<String> names, int errno, Map<String, Object> condition) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("names", names);
        rule.put("action", "SCMP_ACT_ERRNO");
        rule.put("errnoRet", errno);
        if (condition != null) {
            rule.put("args", List.of(condition));
        }
        return rule;
    }
}
