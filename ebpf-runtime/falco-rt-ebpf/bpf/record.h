/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0 */
/*
 * Ring-buffer record layouts shared by capture.bpf.c and the Rust decoder
 * (crate falco-rt-record, which mirrors every struct with #[repr(C)] and
 * asserts sizes and offsets in its tests).
 *
 * Every record starts with struct rt_header. `size` is the number of bytes the
 * record occupies, header and variable data included. Fixed parts are laid
 * out without implicit padding; variable data (strings, socket addresses)
 * follows the fixed part back to back, in the order the length fields are
 * declared. Strings include their terminating NUL. All integers are in host
 * byte order except where a field says otherwise.
 */
#ifndef FALCO_RT_RECORD_H
#define FALCO_RT_RECORD_H

#define RT_RECORD_VERSION 5

/* Longest path or argument block copied into a record, NUL included. */
#define RT_MAX_STR 4096
/* Longest socket address copied into a record (sizeof(struct sockaddr_storage)). */
#define RT_MAX_ADDR 128
/* Size of the per-CPU buffer a record is assembled in (a power of two). */
#define RT_SCRATCH_SIZE 16384
/* Cgroup path components (leaf first) copied into an exec record, and their longest name. */
#define RT_CGROUP_DEPTH 4
#define RT_CGROUP_NAME 128
/* Number of syscall numbers the interest map covers. */
#define RT_MAX_SYSCALLS 512

enum rt_kind {
	RT_KIND_SYSCALL = 1,
	RT_KIND_EXEC = 2,
	RT_KIND_FORK = 3,
	RT_KIND_EXIT = 4,
};

/* Indexes of the per-CPU counters map. */
enum rt_counter {
	RT_CNT_SUBMITTED = 0, /* records written to the ring */
	RT_CNT_DROPPED = 1,   /* records lost because the ring was full */
	RT_CNT_UNPAIRED = 2,  /* sys_exit seen without a stashed sys_enter */
	RT_CNT_MAX = 8,
};

/* rt_syscall.flags */
#define RT_SC_ARGS_NORMALIZED 1 /* openat2: args[2..5] hold open_how, not raw registers */
#define RT_SC_IA32 2 /* a 32-bit syscall; nr is its x86_64 twin, args its ia32 registers */

/* rt_exec.exe_flags: the driver's execve `flags` bits (libs' PPM_EXE_*). */
#define RT_EXE_WRITABLE 1   /* the task may write its executable */
#define RT_EXE_UPPER_LAYER 2 /* on an overlayfs upper layer */
#define RT_EXE_FROM_MEMFD 4 /* a memfd_create file */
#define RT_EXE_LOWER_LAYER 8 /* on an overlayfs lower layer */

/* rt_fork.flags */
#define RT_FORK_THREAD 1 /* the child is a thread of the parent's group */

struct rt_header {
	__u64 ts_boot_ns;  /* bpf_ktime_get_boot_ns() at emission */
	__u16 kind;        /* enum rt_kind */
	__u16 version;     /* RT_RECORD_VERSION */
	__u32 size;        /* whole record, in bytes */
	__u32 tgid;        /* process id of the emitting task */
	__u32 tid;         /* thread id of the emitting task */
	__u32 uid;         /* current real uid */
	__u32 gid;         /* current real gid */
	__u64 cgroup_id;   /* cgroup v2 id of the emitting task */
	char comm[16];     /* task comm, NUL-padded */
};

/* One completed syscall, emitted at sys_exit. */
struct rt_syscall {
	struct rt_header hdr;
	__s64 ret;         /* return value (negative errno on failure) */
	__u64 args[6];     /* raw arguments as seen at sys_enter */
	__u32 nr;          /* x86_64 syscall number */
	__u16 str0_len;    /* first path argument, NUL included; 0 = none */
	__u16 str1_len;    /* second path argument (rename targets) */
	__u16 addr_len;    /* sockaddr bytes copied from user memory */
	__u16 tuple_len;   /* sizeof(struct rt_tuple) or 0 */
	__u32 flags;       /* RT_SC_* */
	/* data: str0, str1, sockaddr, struct rt_tuple */
};

/* Connection tuple read from the kernel socket of connect/accept. */
struct rt_tuple {
	__u16 family;      /* AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 sock_type;   /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 protocol;    /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u16 sport;       /* local port, host order */
	__u16 dport;       /* remote port, host order */
	__u16 pad[3];
	__u8 saddr[16];    /* local address (IPv4 in the first 4 bytes), network order */
	__u8 daddr[16];    /* remote address, network order */
};

/* A successful exec (sched_process_exec). */
struct rt_exec {
	struct rt_header hdr;
	__u32 ppid;         /* real parent's tgid */
	__u32 loginuid;     /* audit login uid (0xffffffff = unset) */
	__u32 sessionid;    /* audit session id */
	__u32 sid;          /* session id (global pid of the session leader) */
	__u32 vpid;         /* pid in the task's own pid namespace */
	__u32 tty;          /* controlling terminal as /proc/PID/stat tty_nr; 0 = none */
	__u32 euid;         /* effective uid (the header has the real one) */
	__u32 egid;         /* effective gid */
	__u32 pgid;         /* process group id (global) */
	__u32 vpgid;        /* process group id in the task's own pid namespace */
	__u64 cap_inheritable; /* Linux capability bits */
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 exe_ino;      /* inode number of the executable */
	__u64 exe_ctime_ns; /* its status change time, ns since the epoch */
	__u64 exe_mtime_ns; /* its modification time, ns since the epoch */
	__u64 pidns_init_start_ns; /* start of the init of the task's pid namespace, boot clock; 0 = unknown */
	__u32 exe_flags;    /* RT_EXE_* */
	__u16 filename_len; /* path given to exec, NUL included */
	__u16 args_len;     /* argv block, NUL-separated, as in /proc/PID/cmdline */
	__u16 cgroup_len;   /* cgroup v2 names, leaf first, NUL-separated (RT_CGROUP_DEPTH at most) */
	__u16 cgroup_v1_len; /* the same for the v1 memory controller's cgroup */
	__u16 env_len;      /* environment block, NUL-separated, as in /proc/PID/environ */
	__u16 pad;
	/* data: filename, args, cgroup names, cgroup v1 names, env */
};

/* A new task (sched_process_fork); the header describes the parent. */
struct rt_fork {
	struct rt_header hdr;
	__u32 child_tgid;
	__u32 child_tid;
	__u32 flags;        /* RT_FORK_* */
	__u32 pad;
};

/* A task exit (sched_process_exit), sent for thread-group leaders only. */
struct rt_exit {
	struct rt_header hdr;
	__s32 exit_code;    /* raw wait status: code << 8 | signal */
	__u32 pad;
};

/* The Rust mirror (falco-rt-record) asserts the same numbers. */
_Static_assert(sizeof(struct rt_header) == 56, "rt_header layout");
_Static_assert(sizeof(struct rt_syscall) == 128, "rt_syscall layout");
_Static_assert(__builtin_offsetof(struct rt_syscall, nr) == 112, "rt_syscall.nr");
_Static_assert(__builtin_offsetof(struct rt_syscall, flags) == 124, "rt_syscall.flags");
_Static_assert(sizeof(struct rt_tuple) == 48, "rt_tuple layout");
_Static_assert(sizeof(struct rt_exec) == 168, "rt_exec layout");
_Static_assert(__builtin_offsetof(struct rt_exec, cap_inheritable) == 96, "rt_exec.cap_inheritable");
_Static_assert(__builtin_offsetof(struct rt_exec, filename_len) == 156, "rt_exec.filename_len");
_Static_assert(sizeof(struct rt_fork) == 72, "rt_fork layout");
_Static_assert(sizeof(struct rt_exit) == 64, "rt_exit layout");

#endif /* FALCO_RT_RECORD_H */
