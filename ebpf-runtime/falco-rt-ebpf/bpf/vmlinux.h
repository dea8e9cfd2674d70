/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0 */
/*
 * A hand-written subset of the kernel types that capture.bpf.c touches.
 *
 * Only the members the program reads are declared. Every struct carries
 * `preserve_access_index`, so clang records each member access as a CO-RE
 * relocation and the loader (aya) patches the real offsets from the running
 * kernel's BTF (/sys/kernel/btf/vmlinux). Members that live inside anonymous
 * structs/unions in the kernel are declared flat here; CO-RE matches them by
 * name through the anonymous members.
 */
#ifndef FALCO_RT_VMLINUX_H
#define FALCO_RT_VMLINUX_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef int pid_t;
typedef unsigned int uid_t;
typedef _Bool bool;
#define true 1
#define false 0

/* UAPI constants used by bpf_helpers.h users (values are ABI-stable). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long bp;
	unsigned long bx;
	unsigned long cx;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
};

typedef struct {
	uid_t val;
} kuid_t;

typedef struct {
	unsigned int val;
} kgid_t;

/* 64 bits in every kernel: `__u64 val` since 6.3, `__u32 cap[2]` before (read whole). */
typedef struct kernel_cap_struct {
	__u64 val;
} kernel_cap_t;

struct group_info {
	int ngroups;
	kgid_t gid[];
};

struct cred {
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
	struct group_info *group_info;
};

struct super_block {
	unsigned long s_flags;
	unsigned long s_magic;
};

struct timespec64 {
	__s64 tv_sec;
	long tv_nsec;
};

/* Inode times: `i_ctime_sec`/`_nsec` since 6.11; see inode___v6_6 and inode___old. */
struct inode {
	unsigned short i_mode;
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned int i_flags;
	struct super_block *i_sb;
	unsigned long i_ino;
	__s64 i_ctime_sec;
	__u32 i_ctime_nsec;
	__s64 i_mtime_sec;
	__u32 i_mtime_nsec;
};

struct inode___v6_6 {
	struct timespec64 __i_ctime;
	struct timespec64 i_mtime;
};

struct inode___old {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct path {
	struct dentry *dentry;
};

struct file;

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
	struct file *exe_file;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct file {
	void *private_data;
	struct path f_path;
	struct inode *f_inode;
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol;
	__u16 sk_type;
};

struct socket {
	short type;
	struct sock *sk;
};

struct pid_namespace;

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[];
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	int index;
	struct tty_driver *driver;
};

struct signal_struct {
	struct pid *pids[4]; /* indexed by enum pid_type; PIDTYPE_PGID = 2, PIDTYPE_SID = 3 */
	struct tty_struct *tty;
};

struct kernfs_node {
	struct kernfs_node *__parent; /* `parent` before 6.15, see kernfs_node___old */
	const char *name;
};

struct kernfs_node___old {
	struct kernfs_node___old *parent;
	const char *name;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[12];
	struct cgroup *dfl_cgrp;
};

enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

struct thread_info {
	__u32 status; /* TS_COMPAT while a 32-bit syscall runs */
};

struct pid_namespace {
	struct task_struct *child_reaper;
};

struct task_struct {
	struct thread_info thread_info;
	__u64 start_boottime;
	pid_t pid;
	pid_t tgid;
	int exit_code;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct files_struct *files;
	const struct cred *cred;
	kuid_t loginuid;
	unsigned int sessionid;
	struct pid *thread_pid;
	struct signal_struct *signal;
	struct css_set *cgroups;
};

struct linux_binprm {
	const char *filename;
	const char *interp;
};

#pragma clang attribute pop

#endif /* FALCO_RT_VMLINUX_H */
