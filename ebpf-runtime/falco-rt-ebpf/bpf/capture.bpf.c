// SPDX-License-Identifier: GPL-2.0
/*
 * falco-rt capture program.
 *
 * Syscalls are captured at their exit, where the user memory their arguments
 * point to has been faulted in (paths are read there), as one rt_syscall
 * record with the return value. Three hook layouts, chosen by the loader:
 * per-syscall perf tracepoints (syscalls/sys_exit_<name>, attached only for
 * selected syscalls, so the others run no program), a global raw sys_exit
 * tracepoint, or global raw sys_enter (stashes the arguments per thread) plus
 * sys_exit. The `interest` map says, per syscall number, which hook emits it. sched_process_exec/fork/exit emit process lifecycle
 * records. Records are assembled in a per-CPU scratch buffer and copied into
 * one ring buffer with BPF_RB_NO_WAKEUP; a wakeup is forced once a CPU has
 * submitted `wakeup_bytes`, and the reader polls with a timeout for the rest.
 *
 * Layouts are in record.h. Build: see ../build.rs and ../../README.md.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "record.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load (rodata). */
const volatile __u32 own_tgid = 0;              /* events of this process are dropped */
const volatile __u32 only_tree = 0;             /* set: only this process and its descendants */
const volatile __u64 wakeup_bytes = 256 * 1024; /* per CPU; 0 = wake the reader on every record */

/* x86_64 syscall numbers with arguments the program decodes. */
#define NR_open 2
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_execve 59
#define NR_chdir 80
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_creat 85
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chmod 90
#define NR_openat 257
#define NR_mkdirat 258
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_fchmodat 268
#define NR_accept4 288
#define NR_renameat2 316
#define NR_execveat 322
#define NR_openat2 437
#define NR_fchmodat2 452

#define EINPROGRESS 115

/* thread_info.status: the running syscall is a 32-bit (ia32) one. */
#define TS_COMPAT 0x0002

/* `interest` values: which hook emits the syscall (one at a time, so that the
 * loader can move a syscall between hooks without a gap or a duplicate). */
#define INTEREST_GLOBAL 1     /* the raw sys_exit (or sys_enter + sys_exit) hooks */
#define INTEREST_TRACEPOINT 2 /* the per-syscall sys_exit_<name> tracepoint */

struct stash {
	__u64 args[6];
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} interest SEC(".maps");

/* With `only_tree`: the processes whose events are reported (the root, then every
 * process it or a member forks). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} tree SEC(".maps");

/* The x86_64 number of each ia32 syscall number, plus one (0: no x86_64 twin); written
 * by the loader from the two syscall tables. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} compat_nr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct stash);
} stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct scratch_buf {
	__u8 buf[RT_SCRATCH_SIZE]; /* first: submit() finds the struct from buf */
	__u64 unwoken;             /* bytes this CPU submitted since its last forced wakeup */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch_buf);
} scratch SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

/* Whether the events of task `pid_tgid` are reported: never the agent's own, and with
 * `only_tree` only those of the tree's processes (tests find their own events however
 * busy the machine is). */
static __always_inline bool reported(__u64 pid_tgid)
{
	__u32 tgid = (__u32)(pid_tgid >> 32);
	if (tgid == own_tgid)
		return false;
	return !only_tree || bpf_map_lookup_elem(&tree, &tgid) != 0;
}

static __always_inline bool interesting(long id, __u32 hook)
{
	if (id < 0 || id >= RT_MAX_SYSCALLS)
		return false;
	__u32 key = (__u32)id;
	__u32 *on = bpf_map_lookup_elem(&interest, &key);
	return on && *on == hook;
}

static __always_inline __u8 *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch_buf *s = bpf_map_lookup_elem(&scratch, &zero);
	return s ? s->buf : 0;
}

static __always_inline void fill_header(struct rt_header *h, __u16 kind, __u64 pid_tgid)
{
	__u64 ugid = bpf_get_current_uid_gid();
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->kind = kind;
	h->version = RT_RECORD_VERSION;
	h->size = 0;
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)ugid;
	h->gid = ugid >> 32;
	h->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/*
 * Copies the record into the ring. The reader is woken only once this CPU has
 * submitted `wakeup_bytes` since its last forced wakeup (per-CPU count, so
 * no shared ring state is read here: asking the ring how much is pending
 * costs a cross-CPU cache miss per record, and while the reader lags it
 * would force a wakeup on every record). The reader polls with a timeout for
 * the rest.
 */
static __always_inline void submit(__u8 *buf, __u64 size)
{
	if (size > RT_SCRATCH_SIZE)
		return;
	((struct rt_header *)buf)->size = (__u32)size;
	__u64 flags = 0;
	if (wakeup_bytes) {
		struct scratch_buf *s = (struct scratch_buf *)buf;
		s->unwoken += size;
		if (s->unwoken >= wakeup_bytes) {
			s->unwoken = 0;
			flags = BPF_RB_FORCE_WAKEUP;
		} else {
			flags = BPF_RB_NO_WAKEUP;
		}
	}
	if (bpf_ringbuf_output(&events, buf, size, flags) == 0)
		count(RT_CNT_SUBMITTED);
	else
		count(RT_CNT_DROPPED);
}

/* Copies a NUL-terminated user string to buf+off; returns bytes written (>= 1). */
static __always_inline __u64 put_user_str(__u8 *buf, __u64 off, __u64 uptr)
{
	if (off > RT_SCRATCH_SIZE - RT_MAX_STR)
		return 0;
	long n = bpf_probe_read_user_str(buf + off, RT_MAX_STR, (const void *)uptr);
	if (n <= 0) {
		buf[off] = 0;
		return 1;
	}
	if (n > RT_MAX_STR)
		n = RT_MAX_STR;
	return (__u64)n;
}

/* Which arguments are paths: index of the first and second path, -1 if none. */
static __always_inline void path_args(__u32 nr, int *p0, int *p1)
{
	*p0 = -1;
	*p1 = -1;
	switch (nr) {
	case NR_open:
	case NR_creat:
	case NR_execve:
	case NR_mkdir:
	case NR_rmdir:
	case NR_unlink:
	case NR_chmod:
	case NR_chdir:
		*p0 = 0;
		break;
	case NR_openat:
	case NR_openat2:
	case NR_execveat:
	case NR_mkdirat:
	case NR_unlinkat:
	case NR_fchmodat:
	case NR_fchmodat2:
		*p0 = 1;
		break;
	case NR_rename:
	case NR_link:
	case NR_symlink:
		*p0 = 0;
		*p1 = 1;
		break;
	case NR_renameat:
	case NR_renameat2:
	case NR_linkat:
		*p0 = 1;
		*p1 = 3;
		break;
	case NR_symlinkat:
		*p0 = 0;
		*p1 = 2;
		break;
	}
}

/* Fills t from the socket behind fd of the current task; returns 0 on success. */
static __always_inline int read_tuple(long fd, struct rt_tuple *t)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0)
		return -1;
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		return -1;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return -1;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return -1;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return -1;
	t->sock_type = (__u16)BPF_CORE_READ(sock, type);
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->protocol = BPF_CORE_READ(sk, sk_protocol);
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__be16 dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	t->dport = __builtin_bswap16(dport);
	if (t->family == 2 /* AF_INET */) {
		__be32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(t->saddr, &s, 4);
		__builtin_memcpy(t->daddr, &d, 4);
	} else if (t->family == 10 /* AF_INET6 */) {
		struct in6_addr a6 = {};
		BPF_CORE_READ_INTO(&a6, sk, __sk_common.skc_v6_rcv_saddr);
		__builtin_memcpy(t->saddr, &a6, 16);
		BPF_CORE_READ_INTO(&a6, sk, __sk_common.skc_v6_daddr);
		__builtin_memcpy(t->daddr, &a6, 16);
	}
	return 0;
}

/* The six x86_64 syscall argument registers of a raw tracepoint's pt_regs (the
 * per-syscall tracepoint program reads its BTF pt_regs with plain loads instead). */
static __always_inline void read_args(struct pt_regs *regs, __u64 *args)
{
	args[0] = BPF_CORE_READ(regs, di);
	args[1] = BPF_CORE_READ(regs, si);
	args[2] = BPF_CORE_READ(regs, dx);
	args[3] = BPF_CORE_READ(regs, r10);
	args[4] = BPF_CORE_READ(regs, r8);
	args[5] = BPF_CORE_READ(regs, r9);
}

/* Whether the current syscall is a 32-bit one (its number is an ia32 number). */
static __always_inline bool in_compat_syscall(void)
{
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
}

SEC("raw_tracepoint/sys_enter")
int rt_sys_enter(unsigned long long *ctx)
{
	long id = (long)ctx[1];
	if (!interesting(id, INTEREST_GLOBAL) || in_compat_syscall())
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	struct stash st = {};
	st.nr = (__u32)id;
	read_args(regs, st.args);
	bpf_map_update_elem(&stash, &pid_tgid, &st, BPF_ANY);
	return 0;
}

/*
 * Builds and submits the record of a completed syscall. `args` are the six
 * argument registers at entry. Shared by every exit hook (a subprogram, so it
 * is verified and stored once).
 */
static __noinline int emit_syscall(__u64 *args, __u32 nr, long ret, __u64 pid_tgid, __u32 flags)
{
	/* A successful execve returns into the new image; sched_process_exec reports it. */
	if ((nr == NR_execve || nr == NR_execveat) && ret == 0)
		return 0;
	__u8 *buf = scratch_get();
	if (!buf || !args)
		return 0;
	struct rt_syscall *sc = (struct rt_syscall *)buf;
	#pragma unroll
	for (int i = 0; i < 6; i++)
		sc->args[i] = args[i];
	fill_header(&sc->hdr, RT_KIND_SYSCALL, pid_tgid);
	sc->ret = ret;
	sc->nr = nr;
	sc->str0_len = 0;
	sc->str1_len = 0;
	sc->addr_len = 0;
	sc->tuple_len = 0;
	sc->flags = flags;

	__u64 off = sizeof(struct rt_syscall);
	int p0, p1;
	path_args(nr, &p0, &p1);
	if (p0 >= 0 && p0 < 6) {
		__u64 n = put_user_str(buf, off, sc->args[p0]);
		sc->str0_len = (__u16)n;
		off += n;
	}
	if (p1 >= 0 && p1 < 6) {
		__u64 n = put_user_str(buf, off, sc->args[p1]);
		sc->str1_len = (__u16)n;
		off += n;
	}

	if (nr == NR_openat2) {
		struct {
			__u64 flags, mode, resolve;
		} how = {};
		bpf_probe_read_user(&how, sizeof(how), (const void *)sc->args[2]);
		sc->args[2] = how.flags;
		sc->args[3] = how.mode;
		sc->args[4] = how.resolve;
		sc->flags |= RT_SC_ARGS_NORMALIZED;
	}

	long sock_fd = -1;
	if (nr == NR_connect) {
		__u64 alen = sc->args[2];
		if (alen > RT_MAX_ADDR)
			alen = RT_MAX_ADDR;
		if (off <= RT_SCRATCH_SIZE - RT_MAX_ADDR && alen > 0 &&
		    bpf_probe_read_user(buf + off, alen, (const void *)sc->args[1]) == 0) {
			sc->addr_len = (__u16)alen;
			off += alen;
		}
		if (ret == 0 || ret == -EINPROGRESS)
			sock_fd = (long)sc->args[0];
	} else if ((nr == NR_sendto || nr == NR_recvfrom || nr == NR_sendmsg || nr == NR_recvmsg) &&
		   ret >= 0) {
		/* The peer the call named (sendto's destination, recvfrom's source), which
		 * an unconnected datagram socket's tuple lacks. */
		__u64 uaddr = 0;
		__u32 alen = 0;
		if (nr == NR_sendto) {
			uaddr = sc->args[4];
			alen = (__u32)sc->args[5];
		} else if (nr == NR_recvfrom) {
			uaddr = sc->args[4];
			if (!sc->args[5] ||
			    bpf_probe_read_user(&alen, sizeof(alen), (const void *)sc->args[5]))
				alen = 0;
		} else if (!(flags & RT_SC_IA32)) {
			/* struct user_msghdr starts with msg_name and msg_namelen (the
			 * compat layout differs: ia32 calls keep the socket's tuple only). */
			struct {
				__u64 name;
				__u32 namelen;
			} head = {};
			if (bpf_probe_read_user(&head, sizeof(head), (const void *)sc->args[1]) == 0) {
				uaddr = head.name;
				alen = head.namelen;
			}
		}
		__u64 len = alen;
		if (len > RT_MAX_ADDR)
			len = RT_MAX_ADDR;
		if (uaddr && len > 0 && off <= RT_SCRATCH_SIZE - RT_MAX_ADDR &&
		    bpf_probe_read_user(buf + off, len, (const void *)uaddr) == 0) {
			sc->addr_len = (__u16)len;
			off += len;
		}
		sock_fd = (long)sc->args[0];
	} else if (nr == NR_accept || nr == NR_accept4) {
		__u32 alen = 0;
		if (ret >= 0 && sc->args[1] && sc->args[2] &&
		    bpf_probe_read_user(&alen, sizeof(alen), (const void *)sc->args[2]) == 0) {
			if (alen > RT_MAX_ADDR)
				alen = RT_MAX_ADDR;
			if (off <= RT_SCRATCH_SIZE - RT_MAX_ADDR && alen > 0 &&
			    bpf_probe_read_user(buf + off, alen, (const void *)sc->args[1]) == 0) {
				sc->addr_len = (__u16)alen;
				off += alen;
			}
		}
		if (ret >= 0)
			sock_fd = ret;
	}
	if (sock_fd >= 0 && off <= RT_SCRATCH_SIZE - sizeof(struct rt_tuple)) {
		struct rt_tuple t = {};
		if (read_tuple(sock_fd, &t) == 0) {
			__builtin_memcpy(buf + off, &t, sizeof(t));
			sc->tuple_len = sizeof(t);
			off += sizeof(t);
		}
	}
	submit(buf, off);
	return 0;
}


SEC("raw_tracepoint/sys_exit")
int rt_sys_exit(unsigned long long *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = (long)BPF_CORE_READ(regs, orig_ax);
	if (!interesting(id, INTEREST_GLOBAL))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	struct stash *st = bpf_map_lookup_elem(&stash, &pid_tgid);
	if (!st) {
		count(RT_CNT_UNPAIRED);
		return 0;
	}
	__u64 args[6];
	__u32 nr = st->nr;
	#pragma unroll
	for (int i = 0; i < 6; i++)
		args[i] = st->args[i];
	bpf_map_delete_elem(&stash, &pid_tgid);
	if (nr != (__u32)id)
		return 0;
	return emit_syscall(args, nr, (long)ctx[1], pid_tgid, 0);
}

/*
 * Emits a syscall from its saved user registers at exit: they still hold the
 * arguments (the kernel passes them to the handler without writing them back;
 * only ax gets the return value), so no stash is needed. Not usable for a
 * successful execve (new registers), which sched_process_exec reports anyway.
 */
static __always_inline int emit_from_regs(struct pt_regs *regs, long id, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	__u64 args[6];
	read_args(regs, args);
	return emit_syscall(args, (__u32)id, ret, pid_tgid, 0);
}

/*
 * Exit-only capture on the global raw sys_exit tracepoint: one hook per
 * syscall of the machine instead of two. The loader attaches this program,
 * the rt_sys_enter/rt_sys_exit pair, or rt_sys_exit_tp per syscall.
 */
SEC("raw_tracepoint/sys_exit")
int rt_sys_exit_only(unsigned long long *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = (long)BPF_CORE_READ(regs, orig_ax);
	if (!interesting(id, INTEREST_GLOBAL) || in_compat_syscall())
		return 0;
	return emit_from_regs(regs, id, (long)ctx[1]);
}

/*
 * 32-bit (ia32) syscalls, from ia32 binaries or `int 0x80` in 64-bit ones: the
 * per-syscall tracepoints never fire for them, and their numbers and argument
 * registers differ. Attached to the global raw sys_exit tracepoint in every layout;
 * returns at once for 64-bit syscalls (one load from the task). A compat syscall whose
 * x86_64 twin is selected (by any hook) is emitted under the twin's number, its
 * arguments read from ebx, ecx, edx, esi, edi, ebp, and flagged RT_SC_IA32.
 */
SEC("raw_tracepoint/sys_exit")
int rt_sys_exit_compat(unsigned long long *ctx)
{
	if (!in_compat_syscall())
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u32 id32 = (__u32)BPF_CORE_READ(regs, orig_ax);
	if (id32 >= RT_MAX_SYSCALLS)
		return 0;
	__u32 *twin = bpf_map_lookup_elem(&compat_nr, &id32);
	if (!twin || *twin == 0)
		return 0;
	__u32 nr = *twin - 1;
	__u32 *on = bpf_map_lookup_elem(&interest, &nr);
	if (!on || *on == 0)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	__u64 args[6];
	/* 32-bit registers: the upper halves are not part of the arguments. */
	args[0] = (__u32)BPF_CORE_READ(regs, bx);
	args[1] = (__u32)BPF_CORE_READ(regs, cx);
	args[2] = (__u32)BPF_CORE_READ(regs, dx);
	args[3] = (__u32)BPF_CORE_READ(regs, si);
	args[4] = (__u32)BPF_CORE_READ(regs, di);
	args[5] = (__u32)BPF_CORE_READ(regs, bp);
	return emit_syscall(args, nr, (long)ctx[1], pid_tgid, RT_SC_IA32);
}

/* The context of a syscalls/sys_exit_<name> perf tracepoint (its tracefs format). */
struct sys_exit_tp_ctx {
	__u64 common; /* not readable: the kernel keeps a pt_regs pointer there */
	int nr;
	int pad;
	long ret;
};

/*
 * Exit-only capture on per-syscall tracepoints: the loader attaches this one
 * program to syscalls/sys_exit_<name> of each selected syscall, so syscalls
 * nobody selected run no BPF program at all (they only pay the kernel's
 * syscall tracing slow path and a bitmap test). The saved user registers come
 * from the current task (tracepoint programs may not read the context's first
 * 8 bytes). The interest check keeps a syscall from being emitted twice while
 * the loader moves it between hooks.
 */
SEC("tracepoint/syscalls/sys_exit")
int rt_sys_exit_tp(struct sys_exit_tp_ctx *ctx)
{
	long id = ctx->nr;
	if (!interesting(id, INTEREST_TRACEPOINT))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	/* A BTF pointer: the verifier turns these loads into fault-safe loads,
	 * cheaper than one bpf_probe_read_kernel call per register. */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 args[6];
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
	return emit_syscall(args, (__u32)id, ctx->ret, pid_tgid, 0);
}

/*
 * pid->numbers[level].nr. The offset is computed from CO-RE field offsets
 * because `numbers` is a flexible array, which aya's relocator does not index.
 */
static __always_inline __u32 pid_nr(struct pid *pid, unsigned int level)
{
	if (!pid)
		return 0;
	__u64 off = bpf_core_field_offset(struct pid, numbers) +
		    (__u64)(level & 31) * bpf_core_type_size(struct upid) +
		    bpf_core_field_offset(struct upid, nr);
	int nr = 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), (const __u8 *)pid + off);
	return (__u32)nr;
}

/* The task's pid as seen in its own pid namespace. */
static __always_inline __u32 task_vpid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	return pid ? pid_nr(pid, BPF_CORE_READ(pid, level)) : 0;
}

/*
 * When the init process of the task's pid namespace started, on the boot clock
 * (the driver's pidns_init_start_ts, which container.start_ts reports); 0 if unknown.
 */
static __always_inline __u64 pidns_init_start(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	if (!pid)
		return 0;
	unsigned int level = BPF_CORE_READ(pid, level);
	__u64 off = bpf_core_field_offset(struct pid, numbers) +
		    (__u64)(level & 31) * bpf_core_type_size(struct upid) +
		    bpf_core_field_offset(struct upid, ns);
	struct pid_namespace *ns = 0;
	if (bpf_probe_read_kernel(&ns, sizeof(ns), (const __u8 *)pid + off) || !ns)
		return 0;
	return BPF_CORE_READ(ns, child_reaper, start_boottime);
}

/* The controlling terminal encoded like tty_nr in /proc/PID/stat. */
static __always_inline __u32 task_tty(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return (struct kernfs_node *)BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/*
 * Writes the names of `cg` and its ancestors (leaf first, at most
 * RT_CGROUP_DEPTH, the root excluded) NUL-separated at buf+off; returns the
 * bytes written. Userspace matches container runtimes' cgroup layouts on them.
 */
static __always_inline __u64 put_cgroup_names(__u8 *buf, __u64 off, struct cgroup *cg)
{
	__u64 start = off;
	struct kernfs_node *kn = cg ? BPF_CORE_READ(cg, kn) : 0;
	#pragma unroll
	for (int i = 0; i < RT_CGROUP_DEPTH; i++) {
		if (!kn)
			break;
		struct kernfs_node *parent = kn_parent(kn);
		if (!parent) /* the root's name is not part of the path */
			break;
		if (off > RT_SCRATCH_SIZE - RT_CGROUP_NAME)
			break;
		long n = bpf_probe_read_kernel_str(buf + off, RT_CGROUP_NAME, BPF_CORE_READ(kn, name));
		if (n <= 0)
			break;
		if (n > RT_CGROUP_NAME)
			n = RT_CGROUP_NAME;
		off += n;
		kn = parent;
	}
	return off - start;
}

/* Linux constants the executable checks use (ABI-stable). */
#define SB_RDONLY 1
#define S_IMMUTABLE 8
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFLNK 0120000
#define MAY_WRITE 2
#define CAP_DAC_OVERRIDE 1
#define CAP_FOWNER 3
#define PIDTYPE_PGID 2
#define NGROUPS_SEARCH 16 /* binary search steps: log2(NGROUPS_MAX) */

/* Whether `gid` is one of the task's supplementary groups (they are sorted). */
static __always_inline bool in_groups(const struct cred *cred, __u32 gid)
{
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	if (!gi)
		return false;
	__u32 left = 0, right = (__u32)BPF_CORE_READ(gi, ngroups);
	__u64 base = bpf_core_field_offset(struct group_info, gid);
	for (int i = 0; i < NGROUPS_SEARCH; i++) {
		if (left >= right)
			break;
		__u32 mid = (left + right) / 2;
		__u32 g = 0;
		bpf_probe_read_kernel(&g, sizeof(g), (const __u8 *)gi + base + (__u64)(mid & 0xffff) * 4);
		if (gid > g)
			left = mid + 1;
		else if (gid < g)
			right = mid;
		else
			return true;
	}
	return false;
}

/*
 * Whether the task may write the inode, as the kernel's permission check decides in the
 * common cases (the same test Falco's driver makes for EXE_WRITABLE): a read-only
 * filesystem or an immutable file is not writable; the owner may write; otherwise the
 * owner, group or other write bit that applies, or CAP_DAC_OVERRIDE / CAP_FOWNER.
 * ACLs and user-namespace id mappings are not looked at.
 */
static __always_inline bool exe_writable(const struct cred *cred, struct inode *inode)
{
	__u16 mode = BPF_CORE_READ(inode, i_mode);
	__u16 fmt = mode & S_IFMT;
	unsigned long s_flags = BPF_CORE_READ(inode, i_sb, s_flags);
	if ((s_flags & SB_RDONLY) && (fmt == S_IFREG || fmt == S_IFDIR || fmt == S_IFLNK))
		return false;
	if (BPF_CORE_READ(inode, i_flags) & S_IMMUTABLE)
		return false;
	__u32 i_uid = BPF_CORE_READ(inode, i_uid.val);
	__u32 i_gid = BPF_CORE_READ(inode, i_gid.val);
	if (i_uid == (__u32)-1 || i_gid == (__u32)-1)
		return false;
	__u32 fsuid = BPF_CORE_READ(cred, fsuid.val);
	if (fsuid == i_uid)
		return true;
	if (i_gid == BPF_CORE_READ(cred, fsgid.val) || in_groups(cred, i_gid))
		mode >>= 3;
	if (mode & MAY_WRITE)
		return true;
	kernel_cap_t caps = {};
	BPF_CORE_READ_INTO(&caps, cred, cap_effective);
	return (caps.val >> CAP_DAC_OVERRIDE) & 1 || (caps.val >> CAP_FOWNER) & 1;
}

/* Whether the file is a memfd_create file: a root dentry named "memfd:...". */
static __always_inline bool exe_from_memfd(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return false;
	char name[7] = {};
	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name)) != sizeof(name))
		return false;
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/*
 * RT_EXE_UPPER_LAYER or RT_EXE_LOWER_LAYER for a file on overlayfs, 0 for any
 * other, told as the driver tells them: an overlay inode is followed in memory
 * by its upper dentry (struct ovl_inode), which has an inode when the file
 * lives in the upper layer.
 */
static __always_inline __u32 overlay_layer(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	if (!d || BPF_CORE_READ(d, d_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	const __u8 *vfs_inode = (const __u8 *)BPF_CORE_READ(d, d_inode);
	__u64 size = bpf_core_type_size(struct inode);
	if (!vfs_inode || !size)
		return RT_EXE_LOWER_LAYER;
	struct dentry *upper = 0;
	if (bpf_probe_read_kernel(&upper, sizeof(upper), vfs_inode + size) || !upper)
		return RT_EXE_LOWER_LAYER;
	return BPF_CORE_READ(upper, d_inode, i_ino) ? RT_EXE_UPPER_LAYER : RT_EXE_LOWER_LAYER;
}

/* The inode's status change and modification times, ns since the epoch. */
static __always_inline void inode_times(struct inode *inode, __u64 *ctime, __u64 *mtime)
{
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		/* Bit 31 of i_ctime_nsec flags a queried multigrain ctime (6.13+), not time. */
		__u32 cns = BPF_CORE_READ(inode, i_ctime_nsec) & ~(1u << 31);
		__u32 mns = BPF_CORE_READ(inode, i_mtime_nsec) & ~(1u << 31);
		*ctime = BPF_CORE_READ(inode, i_ctime_sec) * 1000000000ull + cns;
		*mtime = BPF_CORE_READ(inode, i_mtime_sec) * 1000000000ull + mns;
		return;
	}
	struct inode___v6_6 *v66 = (struct inode___v6_6 *)inode;
	struct inode___old *old = (struct inode___old *)inode;
	struct timespec64 c = {}, m = {};
	if (bpf_core_field_exists(v66->__i_ctime)) {
		BPF_CORE_READ_INTO(&c, v66, __i_ctime);
		BPF_CORE_READ_INTO(&m, v66, i_mtime);
	} else if (bpf_core_field_exists(old->i_ctime)) {
		BPF_CORE_READ_INTO(&c, old, i_ctime);
		BPF_CORE_READ_INTO(&m, old, i_mtime);
	}
	*ctime = c.tv_sec * 1000000000ull + c.tv_nsec;
	*mtime = m.tv_sec * 1000000000ull + m.tv_nsec;
}

/* Fills the credentials, process group and executable facts of an exec record. */
static __always_inline void exec_facts(struct rt_exec *ex, struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	ex->euid = BPF_CORE_READ(cred, euid.val);
	ex->egid = BPF_CORE_READ(cred, egid.val);
	kernel_cap_t caps = {};
	BPF_CORE_READ_INTO(&caps, cred, cap_inheritable);
	ex->cap_inheritable = caps.val;
	BPF_CORE_READ_INTO(&caps, cred, cap_permitted);
	ex->cap_permitted = caps.val;
	BPF_CORE_READ_INTO(&caps, cred, cap_effective);
	ex->cap_effective = caps.val;
	struct pid *pgrp = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]);
	struct pid *own = BPF_CORE_READ(task, thread_pid);
	ex->pgid = pid_nr(pgrp, 0);
	ex->vpgid = pid_nr(pgrp, own ? BPF_CORE_READ(own, level) : 0);
	ex->exe_ino = 0;
	ex->exe_ctime_ns = 0;
	ex->exe_mtime_ns = 0;
	ex->exe_flags = 0;
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct inode *inode = exe ? BPF_CORE_READ(exe, f_inode) : 0;
	if (!inode)
		return;
	ex->exe_ino = BPF_CORE_READ(inode, i_ino);
	inode_times(inode, &ex->exe_ctime_ns, &ex->exe_mtime_ns);
	if (exe_writable(cred, inode))
		ex->exe_flags |= RT_EXE_WRITABLE;
	if (exe_from_memfd(exe))
		ex->exe_flags |= RT_EXE_FROM_MEMFD;
	ex->exe_flags |= overlay_layer(exe);
}

SEC("raw_tracepoint/sched_process_exec")
int rt_sched_exec(unsigned long long *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	struct task_struct *task = (struct task_struct *)ctx[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx[2];
	__u8 *buf = scratch_get();
	if (!buf)
		return 0;
	struct rt_exec *ex = (struct rt_exec *)buf;
	fill_header(&ex->hdr, RT_KIND_EXEC, pid_tgid);
	ex->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ex->loginuid = BPF_CORE_READ(task, loginuid.val);
	ex->sessionid = BPF_CORE_READ(task, sessionid);
	ex->sid = pid_nr(BPF_CORE_READ(task, signal, pids[3]), 0); /* PIDTYPE_SID, global */
	ex->vpid = task_vpid(task);
	ex->tty = task_tty(task);
	ex->pidns_init_start_ns = pidns_init_start(task);
	exec_facts(ex, task);
	ex->pad = 0;

	__u64 off = sizeof(struct rt_exec);
	const char *fname = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(buf + off, RT_MAX_STR, fname);
	if (n <= 0) {
		buf[off] = 0;
		n = 1;
	}
	if (n > RT_MAX_STR)
		n = RT_MAX_STR;
	ex->filename_len = (__u16)n;
	off += n;

	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u64 alen = end > start ? end - start : 0;
	if (alen > RT_MAX_STR)
		alen = RT_MAX_STR;
	ex->args_len = 0;
	if (off <= RT_SCRATCH_SIZE - RT_MAX_STR && alen > 0 &&
	    bpf_probe_read_user(buf + off, alen, (const void *)start) == 0) {
		ex->args_len = (__u16)alen;
		off += alen;
	}

	struct css_set *css = BPF_CORE_READ(task, cgroups);
	__u64 cn = put_cgroup_names(buf, off, BPF_CORE_READ(css, dfl_cgrp));
	ex->cgroup_len = (__u16)cn;
	off += cn;
	ex->cgroup_v1_len = 0;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		if (id >= 0 && id < 12) {
			cn = put_cgroup_names(buf, off, BPF_CORE_READ(css, subsys[id], cgroup));
			ex->cgroup_v1_len = (__u16)cn;
			off += cn;
		}
	}

	start = BPF_CORE_READ(task, mm, env_start);
	end = BPF_CORE_READ(task, mm, env_end);
	__u64 elen = end > start ? end - start : 0;
	if (elen > RT_MAX_STR)
		elen = RT_MAX_STR;
	ex->env_len = 0;
	if (off <= RT_SCRATCH_SIZE - RT_MAX_STR && elen > 0 &&
	    bpf_probe_read_user(buf + off, elen, (const void *)start) == 0) {
		ex->env_len = (__u16)elen;
		off += elen;
	}
	submit(buf, off);
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int rt_sched_fork(unsigned long long *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *child = (struct task_struct *)ctx[1];
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 ctid = BPF_CORE_READ(child, pid);
	/* Threads share the parent's process state; only new processes are reported. */
	if (ctgid != ctid)
		return 0;
	__u32 ptgid = (__u32)(pid_tgid >> 32);
	if (only_tree && bpf_map_lookup_elem(&tree, &ptgid)) {
		__u8 one = 1;
		bpf_map_update_elem(&tree, &ctgid, &one, BPF_ANY);
	}
	if (!reported(pid_tgid))
		return 0;
	__u8 *buf = scratch_get();
	if (!buf)
		return 0;
	struct rt_fork *fk = (struct rt_fork *)buf;
	fill_header(&fk->hdr, RT_KIND_FORK, pid_tgid);
	fk->child_tgid = ctgid;
	fk->child_tid = ctid;
	fk->flags = 0;
	fk->pad = 0;
	submit(buf, sizeof(struct rt_fork));
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int rt_sched_exit(unsigned long long *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!reported(pid_tgid))
		return 0;
	if ((__u32)(pid_tgid >> 32) != (__u32)pid_tgid)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx[0];
	__u8 *buf = scratch_get();
	if (!buf)
		return 0;
	struct rt_exit *ex = (struct rt_exit *)buf;
	fill_header(&ex->hdr, RT_KIND_EXIT, pid_tgid);
	ex->exit_code = BPF_CORE_READ(task, exit_code);
	ex->pad = 0;
	submit(buf, sizeof(struct rt_exit));
	if (only_tree) {
		__u32 tgid = (__u32)(pid_tgid >> 32);
		if (tgid != only_tree)
			bpf_map_delete_elem(&tree, &tgid);
	}
	return 0;
}
