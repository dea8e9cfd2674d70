//! x86_64 syscall numbers and names.
//!
//! Generated from the kernel UAPI header `asm/unistd_64.h` (linux-libc-dev 6.1),
//! with the numbers added up to 6.10 appended by hand.

/// Syscall numbers as constants, named after the syscall.
pub mod nr {
    /// `read`
    pub const READ: u32 = 0;
    /// `write`
    pub const WRITE: u32 = 1;
    /// `open`
    pub const OPEN: u32 = 2;
    /// `close`
    pub const CLOSE: u32 = 3;
    /// `stat`
    pub const STAT: u32 = 4;
    /// `fstat`
    pub const FSTAT: u32 = 5;
    /// `lstat`
    pub const LSTAT: u32 = 6;
    /// `poll`
    pub const POLL: u32 = 7;
    /// `lseek`
    pub const LSEEK: u32 = 8;
    /// `mmap`
    pub const MMAP: u32 = 9;
    /// `mprotect`
    pub const MPROTECT: u32 = 10;
    /// `munmap`
    pub const MUNMAP: u32 = 11;
    /// `brk`
    pub const BRK: u32 = 12;
    /// `rt_sigaction`
    pub const RT_SIGACTION: u32 = 13;
    /// `rt_sigprocmask`
    pub const RT_SIGPROCMASK: u32 = 14;
    /// `rt_sigreturn`
    pub const RT_SIGRETURN: u32 = 15;
    /// `ioctl`
    pub const IOCTL: u32 = 16;
    /// `pread64`
    pub const PREAD64: u32 = 17;
    /// `pwrite64`
    pub const PWRITE64: u32 = 18;
    /// `readv`
    pub const READV: u32 = 19;
    /// `writev`
    pub const WRITEV: u32 = 20;
    /// `access`
    pub const ACCESS: u32 = 21;
    /// `pipe`
    pub const PIPE: u32 = 22;
    /// `select`
    pub const SELECT: u32 = 23;
    /// `sched_yield`
    pub const SCHED_YIELD: u32 = 24;
    /// `mremap`
    pub const MREMAP: u32 = 25;
    /// `msync`
    pub const MSYNC: u32 = 26;
    /// `mincore`
    pub const MINCORE: u32 = 27;
    /// `madvise`
    pub const MADVISE: u32 = 28;
    /// `shmget`
    pub const SHMGET: u32 = 29;
    /// `shmat`
    pub const SHMAT: u32 = 30;
    /// `shmctl`
    pub const SHMCTL: u32 = 31;
    /// `dup`
    pub const DUP: u32 = 32;
    /// `dup2`
    pub const DUP2: u32 = 33;
    /// `pause`
    pub const PAUSE: u32 = 34;
    /// `nanosleep`
    pub const NANOSLEEP: u32 = 35;
    /// `getitimer`
    pub const GETITIMER: u32 = 36;
    /// `alarm`
    pub const ALARM: u32 = 37;
    /// `setitimer`
    pub const SETITIMER: u32 = 38;
    /// `getpid`
    pub const GETPID: u32 = 39;
    /// `sendfile`
    pub const SENDFILE: u32 = 40;
    /// `socket`
    pub const SOCKET: u32 = 41;
    /// `connect`
    pub const CONNECT: u32 = 42;
    /// `accept`
    pub const ACCEPT: u32 = 43;
    /// `sendto`
    pub const SENDTO: u32 = 44;
    /// `recvfrom`
    pub const RECVFROM: u32 = 45;
    /// `sendmsg`
    pub const SENDMSG: u32 = 46;
    /// `recvmsg`
    pub const RECVMSG: u32 = 47;
    /// `shutdown`
    pub const SHUTDOWN: u32 = 48;
    /// `bind`
    pub const BIND: u32 = 49;
    /// `listen`
    pub const LISTEN: u32 = 50;
    /// `getsockname`
    pub const GETSOCKNAME: u32 = 51;
    /// `getpeername`
    pub const GETPEERNAME: u32 = 52;
    /// `socketpair`
    pub const SOCKETPAIR: u32 = 53;
    /// `setsockopt`
    pub const SETSOCKOPT: u32 = 54;
    /// `getsockopt`
    pub const GETSOCKOPT: u32 = 55;
    /// `clone`
    pub const CLONE: u32 = 56;
    /// `fork`
    pub const FORK: u32 = 57;
    /// `vfork`
    pub const VFORK: u32 = 58;
    /// `execve`
    pub const EXECVE: u32 = 59;
    /// `exit`
    pub const EXIT: u32 = 60;
    /// `wait4`
    pub const WAIT4: u32 = 61;
    /// `kill`
    pub const KILL: u32 = 62;
    /// `uname`
    pub const UNAME: u32 = 63;
    /// `semget`
    pub const SEMGET: u32 = 64;
    /// `semop`
    pub const SEMOP: u32 = 65;
    /// `semctl`
    pub const SEMCTL: u32 = 66;
    /// `shmdt`
    pub const SHMDT: u32 = 67;
    /// `msgget`
    pub const MSGGET: u32 = 68;
    /// `msgsnd`
    pub const MSGSND: u32 = 69;
    /// `msgrcv`
    pub const MSGRCV: u32 = 70;
    /// `msgctl`
    pub const MSGCTL: u32 = 71;
    /// `fcntl`
    pub const FCNTL: u32 = 72;
    /// `flock`
    pub const FLOCK: u32 = 73;
    /// `fsync`
    pub const FSYNC: u32 = 74;
    /// `fdatasync`
    pub const FDATASYNC: u32 = 75;
    /// `truncate`
    pub const TRUNCATE: u32 = 76;
    /// `ftruncate`
    pub const FTRUNCATE: u32 = 77;
    /// `getdents`
    pub const GETDENTS: u32 = 78;
    /// `getcwd`
    pub const GETCWD: u32 = 79;
    /// `chdir`
    pub const CHDIR: u32 = 80;
    /// `fchdir`
    pub const FCHDIR: u32 = 81;
    /// `rename`
    pub const RENAME: u32 = 82;
    /// `mkdir`
    pub const MKDIR: u32 = 83;
    /// `rmdir`
    pub const RMDIR: u32 = 84;
    /// `creat`
    pub const CREAT: u32 = 85;
    /// `link`
    pub const LINK: u32 = 86;
    /// `unlink`
    pub const UNLINK: u32 = 87;
    /// `symlink`
    pub const SYMLINK: u32 = 88;
    /// `readlink`
    pub const READLINK: u32 = 89;
    /// `chmod`
    pub const CHMOD: u32 = 90;
    /// `fchmod`
    pub const FCHMOD: u32 = 91;
    /// `chown`
    pub const CHOWN: u32 = 92;
    /// `fchown`
    pub const FCHOWN: u32 = 93;
    /// `lchown`
    pub const LCHOWN: u32 = 94;
    /// `umask`
    pub const UMASK: u32 = 95;
    /// `gettimeofday`
    pub const GETTIMEOFDAY: u32 = 96;
    /// `getrlimit`
    pub const GETRLIMIT: u32 = 97;
    /// `getrusage`
    pub const GETRUSAGE: u32 = 98;
    /// `sysinfo`
    pub const SYSINFO: u32 = 99;
    /// `times`
    pub const TIMES: u32 = 100;
    /// `ptrace`
    pub const PTRACE: u32 = 101;
    /// `getuid`
    pub const GETUID: u32 = 102;
    /// `syslog`
    pub const SYSLOG: u32 = 103;
    /// `getgid`
    pub const GETGID: u32 = 104;
    /// `setuid`
    pub const SETUID: u32 = 105;
    /// `setgid`
    pub const SETGID: u32 = 106;
    /// `geteuid`
    pub const GETEUID: u32 = 107;
    /// `getegid`
    pub const GETEGID: u32 = 108;
    /// `setpgid`
    pub const SETPGID: u32 = 109;
    /// `getppid`
    pub const GETPPID: u32 = 110;
    /// `getpgrp`
    pub const GETPGRP: u32 = 111;
    /// `setsid`
    pub const SETSID: u32 = 112;
    /// `setreuid`
    pub const SETREUID: u32 = 113;
    /// `setregid`
    pub const SETREGID: u32 = 114;
    /// `getgroups`
    pub const GETGROUPS: u32 = 115;
    /// `setgroups`
    pub const SETGROUPS: u32 = 116;
    /// `setresuid`
    pub const SETRESUID: u32 = 117;
    /// `getresuid`
    pub const GETRESUID: u32 = 118;
    /// `setresgid`
    pub const SETRESGID: u32 = 119;
    /// `getresgid`
    pub const GETRESGID: u32 = 120;
    /// `getpgid`
    pub const GETPGID: u32 = 121;
    /// `setfsuid`
    pub const SETFSUID: u32 = 122;
    /// `setfsgid`
    pub const SETFSGID: u32 = 123;
    /// `getsid`
    pub const GETSID: u32 = 124;
    /// `capget`
    pub const CAPGET: u32 = 125;
    /// `capset`
    pub const CAPSET: u32 = 126;
    /// `rt_sigpending`
    pub const RT_SIGPENDING: u32 = 127;
    /// `rt_sigtimedwait`
    pub const RT_SIGTIMEDWAIT: u32 = 128;
    /// `rt_sigqueueinfo`
    pub const RT_SIGQUEUEINFO: u32 = 129;
    /// `rt_sigsuspend`
    pub const RT_SIGSUSPEND: u32 = 130;
    /// `sigaltstack`
    pub const SIGALTSTACK: u32 = 131;
    /// `utime`
    pub const UTIME: u32 = 132;
    /// `mknod`
    pub const MKNOD: u32 = 133;
    /// `uselib`
    pub const USELIB: u32 = 134;
    /// `personality`
    pub const PERSONALITY: u32 = 135;
    /// `ustat`
    pub const USTAT: u32 = 136;
    /// `statfs`
    pub const STATFS: u32 = 137;
    /// `fstatfs`
    pub const FSTATFS: u32 = 138;
    /// `sysfs`
    pub const SYSFS: u32 = 139;
    /// `getpriority`
    pub const GETPRIORITY: u32 = 140;
    /// `setpriority`
    pub const SETPRIORITY: u32 = 141;
    /// `sched_setparam`
    pub const SCHED_SETPARAM: u32 = 142;
    /// `sched_getparam`
    pub const SCHED_GETPARAM: u32 = 143;
    /// `sched_setscheduler`
    pub const SCHED_SETSCHEDULER: u32 = 144;
    /// `sched_getscheduler`
    pub const SCHED_GETSCHEDULER: u32 = 145;
    /// `sched_get_priority_max`
    pub const SCHED_GET_PRIORITY_MAX: u32 = 146;
    /// `sched_get_priority_min`
    pub const SCHED_GET_PRIORITY_MIN: u32 = 147;
    /// `sched_rr_get_interval`
    pub const SCHED_RR_GET_INTERVAL: u32 = 148;
    /// `mlock`
    pub const MLOCK: u32 = 149;
    /// `munlock`
    pub const MUNLOCK: u32 = 150;
    /// `mlockall`
    pub const MLOCKALL: u32 = 151;
    /// `munlockall`
    pub const MUNLOCKALL: u32 = 152;
    /// `vhangup`
    pub const VHANGUP: u32 = 153;
    /// `modify_ldt`
    pub const MODIFY_LDT: u32 = 154;
    /// `pivot_root`
    pub const PIVOT_ROOT: u32 = 155;
    /// `_sysctl`
    pub const _SYSCTL: u32 = 156;
    /// `prctl`
    pub const PRCTL: u32 = 157;
    /// `arch_prctl`
    pub const ARCH_PRCTL: u32 = 158;
    /// `adjtimex`
    pub const ADJTIMEX: u32 = 159;
    /// `setrlimit`
    pub const SETRLIMIT: u32 = 160;
    /// `chroot`
    pub const CHROOT: u32 = 161;
    /// `sync`
    pub const SYNC: u32 = 162;
    /// `acct`
    pub const ACCT: u32 = 163;
    /// `settimeofday`
    pub const SETTIMEOFDAY: u32 = 164;
    /// `mount`
    pub const MOUNT: u32 = 165;
    /// `umount2`
    pub const UMOUNT2: u32 = 166;
    /// `swapon`
    pub const SWAPON: u32 = 167;
    /// `swapoff`
    pub const SWAPOFF: u32 = 168;
    /// `reboot`
    pub const REBOOT: u32 = 169;
    /// `sethostname`
    pub const SETHOSTNAME: u32 = 170;
    /// `setdomainname`
    pub const SETDOMAINNAME: u32 = 171;
    /// `iopl`
    pub const IOPL: u32 = 172;
    /// `ioperm`
    pub const IOPERM: u32 = 173;
    /// `create_module`
    pub const CREATE_MODULE: u32 = 174;
    /// `init_module`
    pub const INIT_MODULE: u32 = 175;
    /// `delete_module`
    pub const DELETE_MODULE: u32 = 176;
    /// `get_kernel_syms`
    pub const GET_KERNEL_SYMS: u32 = 177;
    /// `query_module`
    pub const QUERY_MODULE: u32 = 178;
    /// `quotactl`
    pub const QUOTACTL: u32 = 179;
    /// `nfsservctl`
    pub const NFSSERVCTL: u32 = 180;
    /// `getpmsg`
    pub const GETPMSG: u32 = 181;
    /// `putpmsg`
    pub const PUTPMSG: u32 = 182;
    /// `afs_syscall`
    pub const AFS_SYSCALL: u32 = 183;
    /// `tuxcall`
    pub const TUXCALL: u32 = 184;
    /// `security`
    pub const SECURITY: u32 = 185;
    /// `gettid`
    pub const GETTID: u32 = 186;
    /// `readahead`
    pub const READAHEAD: u32 = 187;
    /// `setxattr`
    pub const SETXATTR: u32 = 188;
    /// `lsetxattr`
    pub const LSETXATTR: u32 = 189;
    /// `fsetxattr`
    pub const FSETXATTR: u32 = 190;
    /// `getxattr`
    pub const GETXATTR: u32 = 191;
    /// `lgetxattr`
    pub const LGETXATTR: u32 = 192;
    /// `fgetxattr`
    pub const FGETXATTR: u32 = 193;
    /// `listxattr`
    pub const LISTXATTR: u32 = 194;
    /// `llistxattr`
    pub const LLISTXATTR: u32 = 195;
    /// `flistxattr`
    pub const FLISTXATTR: u32 = 196;
    /// `removexattr`
    pub const REMOVEXATTR: u32 = 197;
    /// `lremovexattr`
    pub const LREMOVEXATTR: u32 = 198;
    /// `fremovexattr`
    pub const FREMOVEXATTR: u32 = 199;
    /// `tkill`
    pub const TKILL: u32 = 200;
    /// `time`
    pub const TIME: u32 = 201;
    /// `futex`
    pub const FUTEX: u32 = 202;
    /// `sched_setaffinity`
    pub const SCHED_SETAFFINITY: u32 = 203;
    /// `sched_getaffinity`
    pub const SCHED_GETAFFINITY: u32 = 204;
    /// `set_thread_area`
    pub const SET_THREAD_AREA: u32 = 205;
    /// `io_setup`
    pub const IO_SETUP: u32 = 206;
    /// `io_destroy`
    pub const IO_DESTROY: u32 = 207;
    /// `io_getevents`
    pub const IO_GETEVENTS: u32 = 208;
    /// `io_submit`
    pub const IO_SUBMIT: u32 = 209;
    /// `io_cancel`
    pub const IO_CANCEL: u32 = 210;
    /// `get_thread_area`
    pub const GET_THREAD_AREA: u32 = 211;
    /// `lookup_dcookie`
    pub const LOOKUP_DCOOKIE: u32 = 212;
    /// `epoll_create`
    pub const EPOLL_CREATE: u32 = 213;
    /// `epoll_ctl_old`
    pub const EPOLL_CTL_OLD: u32 = 214;
    /// `epoll_wait_old`
    pub const EPOLL_WAIT_OLD: u32 = 215;
    /// `remap_file_pages`
    pub const REMAP_FILE_PAGES: u32 = 216;
    /// `getdents64`
    pub const GETDENTS64: u32 = 217;
    /// `set_tid_address`
    pub const SET_TID_ADDRESS: u32 = 218;
    /// `restart_syscall`
    pub const RESTART_SYSCALL: u32 = 219;
    /// `semtimedop`
    pub const SEMTIMEDOP: u32 = 220;
    /// `fadvise64`
    pub const FADVISE64: u32 = 221;
    /// `timer_create`
    pub const TIMER_CREATE: u32 = 222;
    /// `timer_settime`
    pub const TIMER_SETTIME: u32 = 223;
    /// `timer_gettime`
    pub const TIMER_GETTIME: u32 = 224;
    /// `timer_getoverrun`
    pub const TIMER_GETOVERRUN: u32 = 225;
    /// `timer_delete`
    pub const TIMER_DELETE: u32 = 226;
    /// `clock_settime`
    pub const CLOCK_SETTIME: u32 = 227;
    /// `clock_gettime`
    pub const CLOCK_GETTIME: u32 = 228;
    /// `clock_getres`
    pub const CLOCK_GETRES: u32 = 229;
    /// `clock_nanosleep`
    pub const CLOCK_NANOSLEEP: u32 = 230;
    /// `exit_group`
    pub const EXIT_GROUP: u32 = 231;
    /// `epoll_wait`
    pub const EPOLL_WAIT: u32 = 232;
    /// `epoll_ctl`
    pub const EPOLL_CTL: u32 = 233;
    /// `tgkill`
    pub const TGKILL: u32 = 234;
    /// `utimes`
    pub const UTIMES: u32 = 235;
    /// `vserver`
    pub const VSERVER: u32 = 236;
    /// `mbind`
    pub const MBIND: u32 = 237;
    /// `set_mempolicy`
    pub const SET_MEMPOLICY: u32 = 238;
    /// `get_mempolicy`
    pub const GET_MEMPOLICY: u32 = 239;
    /// `mq_open`
    pub const MQ_OPEN: u32 = 240;
    /// `mq_unlink`
    pub const MQ_UNLINK: u32 = 241;
    /// `mq_timedsend`
    pub const MQ_TIMEDSEND: u32 = 242;
    /// `mq_timedreceive`
    pub const MQ_TIMEDRECEIVE: u32 = 243;
    /// `mq_notify`
    pub const MQ_NOTIFY: u32 = 244;
    /// `mq_getsetattr`
    pub const MQ_GETSETATTR: u32 = 245;
    /// `kexec_load`
    pub const KEXEC_LOAD: u32 = 246;
    /// `waitid`
    pub const WAITID: u32 = 247;
    /// `add_key`
    pub const ADD_KEY: u32 = 248;
    /// `request_key`
    pub const REQUEST_KEY: u32 = 249;
    /// `keyctl`
    pub const KEYCTL: u32 = 250;
    /// `ioprio_set`
    pub const IOPRIO_SET: u32 = 251;
    /// `ioprio_get`
    pub const IOPRIO_GET: u32 = 252;
    /// `inotify_init`
    pub const INOTIFY_INIT: u32 = 253;
    /// `inotify_add_watch`
    pub const INOTIFY_ADD_WATCH: u32 = 254;
    /// `inotify_rm_watch`
    pub const INOTIFY_RM_WATCH: u32 = 255;
    /// `migrate_pages`
    pub const MIGRATE_PAGES: u32 = 256;
    /// `openat`
    pub const OPENAT: u32 = 257;
    /// `mkdirat`
    pub const MKDIRAT: u32 = 258;
    /// `mknodat`
    pub const MKNODAT: u32 = 259;
    /// `fchownat`
    pub const FCHOWNAT: u32 = 260;
    /// `futimesat`
    pub const FUTIMESAT: u32 = 261;
    /// `newfstatat`
    pub const NEWFSTATAT: u32 = 262;
    /// `unlinkat`
    pub const UNLINKAT: u32 = 263;
    /// `renameat`
    pub const RENAMEAT: u32 = 264;
    /// `linkat`
    pub const LINKAT: u32 = 265;
    /// `symlinkat`
    pub const SYMLINKAT: u32 = 266;
    /// `readlinkat`
    pub const READLINKAT: u32 = 267;
    /// `fchmodat`
    pub const FCHMODAT: u32 = 268;
    /// `faccessat`
    pub const FACCESSAT: u32 = 269;
    /// `pselect6`
    pub const PSELECT6: u32 = 270;
    /// `ppoll`
    pub const PPOLL: u32 = 271;
    /// `unshare`
    pub const UNSHARE: u32 = 272;
    /// `set_robust_list`
    pub const SET_ROBUST_LIST: u32 = 273;
    /// `get_robust_list`
    pub const GET_ROBUST_LIST: u32 = 274;
    /// `splice`
    pub const SPLICE: u32 = 275;
    /// `tee`
    pub const TEE: u32 = 276;
    /// `sync_file_range`
    pub const SYNC_FILE_RANGE: u32 = 277;
    /// `vmsplice`
    pub const VMSPLICE: u32 = 278;
    /// `move_pages`
    pub const MOVE_PAGES: u32 = 279;
    /// `utimensat`
    pub const UTIMENSAT: u32 = 280;
    /// `epoll_pwait`
    pub const EPOLL_PWAIT: u32 = 281;
    /// `signalfd`
    pub const SIGNALFD: u32 = 282;
    /// `timerfd_create`
    pub const TIMERFD_CREATE: u32 = 283;
    /// `eventfd`
    pub const EVENTFD: u32 = 284;
    /// `fallocate`
    pub const FALLOCATE: u32 = 285;
    /// `timerfd_settime`
    pub const TIMERFD_SETTIME: u32 = 286;
    /// `timerfd_gettime`
    pub const TIMERFD_GETTIME: u32 = 287;
    /// `accept4`
    pub const ACCEPT4: u32 = 288;
    /// `signalfd4`
    pub const SIGNALFD4: u32 = 289;
    /// `eventfd2`
    pub const EVENTFD2: u32 = 290;
    /// `epoll_create1`
    pub const EPOLL_CREATE1: u32 = 291;
    /// `dup3`
    pub const DUP3: u32 = 292;
    /// `pipe2`
    pub const PIPE2: u32 = 293;
    /// `inotify_init1`
    pub const INOTIFY_INIT1: u32 = 294;
    /// `preadv`
    pub const PREADV: u32 = 295;
    /// `pwritev`
    pub const PWRITEV: u32 = 296;
    /// `rt_tgsigqueueinfo`
    pub const RT_TGSIGQUEUEINFO: u32 = 297;
    /// `perf_event_open`
    pub const PERF_EVENT_OPEN: u32 = 298;
    /// `recvmmsg`
    pub const RECVMMSG: u32 = 299;
    /// `fanotify_init`
    pub const FANOTIFY_INIT: u32 = 300;
    /// `fanotify_mark`
    pub const FANOTIFY_MARK: u32 = 301;
    /// `prlimit64`
    pub const PRLIMIT64: u32 = 302;
    /// `name_to_handle_at`
    pub const NAME_TO_HANDLE_AT: u32 = 303;
    /// `open_by_handle_at`
    pub const OPEN_BY_HANDLE_AT: u32 = 304;
    /// `clock_adjtime`
    pub const CLOCK_ADJTIME: u32 = 305;
    /// `syncfs`
    pub const SYNCFS: u32 = 306;
    /// `sendmmsg`
    pub const SENDMMSG: u32 = 307;
    /// `setns`
    pub const SETNS: u32 = 308;
    /// `getcpu`
    pub const GETCPU: u32 = 309;
    /// `process_vm_readv`
    pub const PROCESS_VM_READV: u32 = 310;
    /// `process_vm_writev`
    pub const PROCESS_VM_WRITEV: u32 = 311;
    /// `kcmp`
    pub const KCMP: u32 = 312;
    /// `finit_module`
    pub const FINIT_MODULE: u32 = 313;
    /// `sched_setattr`
    pub const SCHED_SETATTR: u32 = 314;
    /// `sched_getattr`
    pub const SCHED_GETATTR: u32 = 315;
    /// `renameat2`
    pub const RENAMEAT2: u32 = 316;
    /// `seccomp`
    pub const SECCOMP: u32 = 317;
    /// `getrandom`
    pub const GETRANDOM: u32 = 318;
    /// `memfd_create`
    pub const MEMFD_CREATE: u32 = 319;
    /// `kexec_file_load`
    pub const KEXEC_FILE_LOAD: u32 = 320;
    /// `bpf`
    pub const BPF: u32 = 321;
    /// `execveat`
    pub const EXECVEAT: u32 = 322;
    /// `userfaultfd`
    pub const USERFAULTFD: u32 = 323;
    /// `membarrier`
    pub const MEMBARRIER: u32 = 324;
    /// `mlock2`
    pub const MLOCK2: u32 = 325;
    /// `copy_file_range`
    pub const COPY_FILE_RANGE: u32 = 326;
    /// `preadv2`
    pub const PREADV2: u32 = 327;
    /// `pwritev2`
    pub const PWRITEV2: u32 = 328;
    /// `pkey_mprotect`
    pub const PKEY_MPROTECT: u32 = 329;
    /// `pkey_alloc`
    pub const PKEY_ALLOC: u32 = 330;
    /// `pkey_free`
    pub const PKEY_FREE: u32 = 331;
    /// `statx`
    pub const STATX: u32 = 332;
    /// `io_pgetevents`
    pub const IO_PGETEVENTS: u32 = 333;
    /// `rseq`
    pub const RSEQ: u32 = 334;
    /// `pidfd_send_signal`
    pub const PIDFD_SEND_SIGNAL: u32 = 424;
    /// `io_uring_setup`
    pub const IO_URING_SETUP: u32 = 425;
    /// `io_uring_enter`
    pub const IO_URING_ENTER: u32 = 426;
    /// `io_uring_register`
    pub const IO_URING_REGISTER: u32 = 427;
    /// `open_tree`
    pub const OPEN_TREE: u32 = 428;
    /// `move_mount`
    pub const MOVE_MOUNT: u32 = 429;
    /// `fsopen`
    pub const FSOPEN: u32 = 430;
    /// `fsconfig`
    pub const FSCONFIG: u32 = 431;
    /// `fsmount`
    pub const FSMOUNT: u32 = 432;
    /// `fspick`
    pub const FSPICK: u32 = 433;
    /// `pidfd_open`
    pub const PIDFD_OPEN: u32 = 434;
    /// `clone3`
    pub const CLONE3: u32 = 435;
    /// `close_range`
    pub const CLOSE_RANGE: u32 = 436;
    /// `openat2`
    pub const OPENAT2: u32 = 437;
    /// `pidfd_getfd`
    pub const PIDFD_GETFD: u32 = 438;
    /// `faccessat2`
    pub const FACCESSAT2: u32 = 439;
    /// `process_madvise`
    pub const PROCESS_MADVISE: u32 = 440;
    /// `epoll_pwait2`
    pub const EPOLL_PWAIT2: u32 = 441;
    /// `mount_setattr`
    pub const MOUNT_SETATTR: u32 = 442;
    /// `quotactl_fd`
    pub const QUOTACTL_FD: u32 = 443;
    /// `landlock_create_ruleset`
    pub const LANDLOCK_CREATE_RULESET: u32 = 444;
    /// `landlock_add_rule`
    pub const LANDLOCK_ADD_RULE: u32 = 445;
    /// `landlock_restrict_self`
    pub const LANDLOCK_RESTRICT_SELF: u32 = 446;
    /// `memfd_secret`
    pub const MEMFD_SECRET: u32 = 447;
    /// `process_mrelease`
    pub const PROCESS_MRELEASE: u32 = 448;
    /// `futex_waitv`
    pub const FUTEX_WAITV: u32 = 449;
    /// `set_mempolicy_home_node`
    pub const SET_MEMPOLICY_HOME_NODE: u32 = 450;
    /// `cachestat`
    pub const CACHESTAT: u32 = 451;
    /// `fchmodat2`
    pub const FCHMODAT2: u32 = 452;
    /// `map_shadow_stack`
    pub const MAP_SHADOW_STACK: u32 = 453;
    /// `futex_wake`
    pub const FUTEX_WAKE: u32 = 454;
    /// `futex_wait`
    pub const FUTEX_WAIT: u32 = 455;
    /// `futex_requeue`
    pub const FUTEX_REQUEUE: u32 = 456;
    /// `statmount`
    pub const STATMOUNT: u32 = 457;
    /// `listmount`
    pub const LISTMOUNT: u32 = 458;
    /// `lsm_get_self_attr`
    pub const LSM_GET_SELF_ATTR: u32 = 459;
    /// `lsm_set_self_attr`
    pub const LSM_SET_SELF_ATTR: u32 = 460;
    /// `lsm_list_modules`
    pub const LSM_LIST_MODULES: u32 = 461;
    /// `mseal`
    pub const MSEAL: u32 = 462;
}

/// `(name, number)` pairs, sorted by number.
pub const X86_64: &[(&str, u32)] = &[
    ("read", nr::READ),
    ("write", nr::WRITE),
    ("open", nr::OPEN),
    ("close", nr::CLOSE),
    ("stat", nr::STAT),
    ("fstat", nr::FSTAT),
    ("lstat", nr::LSTAT),
    ("poll", nr::POLL),
    ("lseek", nr::LSEEK),
    ("mmap", nr::MMAP),
    ("mprotect", nr::MPROTECT),
    ("munmap", nr::MUNMAP),
    ("brk", nr::BRK),
    ("rt_sigaction", nr::RT_SIGACTION),
    ("rt_sigprocmask", nr::RT_SIGPROCMASK),
    ("rt_sigreturn", nr::RT_SIGRETURN),
    ("ioctl", nr::IOCTL),
    ("pread64", nr::PREAD64),
    ("pwrite64", nr::PWRITE64),
    ("readv", nr::READV),
    ("writev", nr::WRITEV),
    ("access", nr::ACCESS),
    ("pipe", nr::PIPE),
    ("select", nr::SELECT),
    ("sched_yield", nr::SCHED_YIELD),
    ("mremap", nr::MREMAP),
    ("msync", nr::MSYNC),
    ("mincore", nr::MINCORE),
    ("madvise", nr::MADVISE),
    ("shmget", nr::SHMGET),
    ("shmat", nr::SHMAT),
    ("shmctl", nr::SHMCTL),
    ("dup", nr::DUP),
    ("dup2", nr::DUP2),
    ("pause", nr::PAUSE),
    ("nanosleep", nr::NANOSLEEP),
    ("getitimer", nr::GETITIMER),
    ("alarm", nr::ALARM),
    ("setitimer", nr::SETITIMER),
    ("getpid", nr::GETPID),
    ("sendfile", nr::SENDFILE),
    ("socket", nr::SOCKET),
    ("connect", nr::CONNECT),
    ("accept", nr::ACCEPT),
    ("sendto", nr::SENDTO),
    ("recvfrom", nr::RECVFROM),
    ("sendmsg", nr::SENDMSG),
    ("recvmsg", nr::RECVMSG),
    ("shutdown", nr::SHUTDOWN),
    ("bind", nr::BIND),
    ("listen", nr::LISTEN),
    ("getsockname", nr::GETSOCKNAME),
    ("getpeername", nr::GETPEERNAME),
    ("socketpair", nr::SOCKETPAIR),
    ("setsockopt", nr::SETSOCKOPT),
    ("getsockopt", nr::GETSOCKOPT),
    ("clone", nr::CLONE),
    ("fork", nr::FORK),
    ("vfork", nr::VFORK),
    ("execve", nr::EXECVE),
    ("exit", nr::EXIT),
    ("wait4", nr::WAIT4),
    ("kill", nr::KILL),
    ("uname", nr::UNAME),
    ("semget", nr::SEMGET),
    ("semop", nr::SEMOP),
    ("semctl", nr::SEMCTL),
    ("shmdt", nr::SHMDT),
    ("msgget", nr::MSGGET),
    ("msgsnd", nr::MSGSND),
    ("msgrcv", nr::MSGRCV),
    ("msgctl", nr::MSGCTL),
    ("fcntl", nr::FCNTL),
    ("flock", nr::FLOCK),
    ("fsync", nr::FSYNC),
    ("fdatasync", nr::FDATASYNC),
    ("truncate", nr::TRUNCATE),
    ("ftruncate", nr::FTRUNCATE),
    ("getdents", nr::GETDENTS),
    ("getcwd", nr::GETCWD),
    ("chdir", nr::CHDIR),
    ("fchdir", nr::FCHDIR),
    ("rename", nr::RENAME),
    ("mkdir", nr::MKDIR),
    ("rmdir", nr::RMDIR),
    ("creat", nr::CREAT),
    ("link", nr::LINK),
    ("unlink", nr::UNLINK),
    ("symlink", nr::SYMLINK),
    ("readlink", nr::READLINK),
    ("chmod", nr::CHMOD),
    ("fchmod", nr::FCHMOD),
    ("chown", nr::CHOWN),
    ("fchown", nr::FCHOWN),
    ("lchown", nr::LCHOWN),
    ("umask", nr::UMASK),
    ("gettimeofday", nr::GETTIMEOFDAY),
    ("getrlimit", nr::GETRLIMIT),
    ("getrusage", nr::GETRUSAGE),
    ("sysinfo", nr::SYSINFO),
    ("times", nr::TIMES),
    ("ptrace", nr::PTRACE),
    ("getuid", nr::GETUID),
    ("syslog", nr::SYSLOG),
    ("getgid", nr::GETGID),
    ("setuid", nr::SETUID),
    ("setgid", nr::SETGID),
    ("geteuid", nr::GETEUID),
    ("getegid", nr::GETEGID),
    ("setpgid", nr::SETPGID),
    ("getppid", nr::GETPPID),
    ("getpgrp", nr::GETPGRP),
    ("setsid", nr::SETSID),
    ("setreuid", nr::SETREUID),
    ("setregid", nr::SETREGID),
    ("getgroups", nr::GETGROUPS),
    ("setgroups", nr::SETGROUPS),
    ("setresuid", nr::SETRESUID),
    ("getresuid", nr::GETRESUID),
    ("setresgid", nr::SETRESGID),
    ("getresgid", nr::GETRESGID),
    ("getpgid", nr::GETPGID),
    ("setfsuid", nr::SETFSUID),
    ("setfsgid", nr::SETFSGID),
    ("getsid", nr::GETSID),
    ("capget", nr::CAPGET),
    ("capset", nr::CAPSET),
    ("rt_sigpending", nr::RT_SIGPENDING),
    ("rt_sigtimedwait", nr::RT_SIGTIMEDWAIT),
    ("rt_sigqueueinfo", nr::RT_SIGQUEUEINFO),
    ("rt_sigsuspend", nr::RT_SIGSUSPEND),
    ("sigaltstack", nr::SIGALTSTACK),
    ("utime", nr::UTIME),
    ("mknod", nr::MKNOD),
    ("uselib", nr::USELIB),
    ("personality", nr::PERSONALITY),
    ("ustat", nr::USTAT),
    ("statfs", nr::STATFS),
    ("fstatfs", nr::FSTATFS),
    ("sysfs", nr::SYSFS),
    ("getpriority", nr::GETPRIORITY),
    ("setpriority", nr::SETPRIORITY),
    ("sched_setparam", nr::SCHED_SETPARAM),
    ("sched_getparam", nr::SCHED_GETPARAM),
    ("sched_setscheduler", nr::SCHED_SETSCHEDULER),
    ("sched_getscheduler", nr::SCHED_GETSCHEDULER),
    ("sched_get_priority_max", nr::SCHED_GET_PRIORITY_MAX),
    ("sched_get_priority_min", nr::SCHED_GET_PRIORITY_MIN),
    ("sched_rr_get_interval", nr::SCHED_RR_GET_INTERVAL),
    ("mlock", nr::MLOCK),
    ("munlock", nr::MUNLOCK),
    ("mlockall", nr::MLOCKALL),
    ("munlockall", nr::MUNLOCKALL),
    ("vhangup", nr::VHANGUP),
    ("modify_ldt", nr::MODIFY_LDT),
    ("pivot_root", nr::PIVOT_ROOT),
    ("_sysctl", nr::_SYSCTL),
    ("prctl", nr::PRCTL),
    ("arch_prctl", nr::ARCH_PRCTL),
    ("adjtimex", nr::ADJTIMEX),
    ("setrlimit", nr::SETRLIMIT),
    ("chroot", nr::CHROOT),
    ("sync", nr::SYNC),
    ("acct", nr::ACCT),
    ("settimeofday", nr::SETTIMEOFDAY),
    ("mount", nr::MOUNT),
    ("umount2", nr::UMOUNT2),
    ("swapon", nr::SWAPON),
    ("swapoff", nr::SWAPOFF),
    ("reboot", nr::REBOOT),
    ("sethostname", nr::SETHOSTNAME),
    ("setdomainname", nr::SETDOMAINNAME),
    ("iopl", nr::IOPL),
    ("ioperm", nr::IOPERM),
    ("create_module", nr::CREATE_MODULE),
    ("init_module", nr::INIT_MODULE),
    ("delete_module", nr::DELETE_MODULE),
    ("get_kernel_syms", nr::GET_KERNEL_SYMS),
    ("query_module", nr::QUERY_MODULE),
    ("quotactl", nr::QUOTACTL),
    ("nfsservctl", nr::NFSSERVCTL),
    ("getpmsg", nr::GETPMSG),
    ("putpmsg", nr::PUTPMSG),
    ("afs_syscall", nr::AFS_SYSCALL),
    ("tuxcall", nr::TUXCALL),
    ("security", nr::SECURITY),
    ("gettid", nr::GETTID),
    ("readahead", nr::READAHEAD),
    ("setxattr", nr::SETXATTR),
    ("lsetxattr", nr::LSETXATTR),
    ("fsetxattr", nr::FSETXATTR),
    ("getxattr", nr::GETXATTR),
    ("lgetxattr", nr::LGETXATTR),
    ("fgetxattr", nr::FGETXATTR),
    ("listxattr", nr::LISTXATTR),
    ("llistxattr", nr::LLISTXATTR),
    ("flistxattr", nr::FLISTXATTR),
    ("removexattr", nr::REMOVEXATTR),
    ("lremovexattr", nr::LREMOVEXATTR),
    ("fremovexattr", nr::FREMOVEXATTR),
    ("tkill", nr::TKILL),
    ("time", nr::TIME),
    ("futex", nr::FUTEX),
    ("sched_setaffinity", nr::SCHED_SETAFFINITY),
    ("sched_getaffinity", nr::SCHED_GETAFFINITY),
    ("set_thread_area", nr::SET_THREAD_AREA),
    ("io_setup", nr::IO_SETUP),
    ("io_destroy", nr::IO_DESTROY),
    ("io_getevents", nr::IO_GETEVENTS),
    ("io_submit", nr::IO_SUBMIT),
    ("io_cancel", nr::IO_CANCEL),
    ("get_thread_area", nr::GET_THREAD_AREA),
    ("lookup_dcookie", nr::LOOKUP_DCOOKIE),
    ("epoll_create", nr::EPOLL_CREATE),
    ("epoll_ctl_old", nr::EPOLL_CTL_OLD),
    ("epoll_wait_old", nr::EPOLL_WAIT_OLD),
    ("remap_file_pages", nr::REMAP_FILE_PAGES),
    ("getdents64", nr::GETDENTS64),
    ("set_tid_address", nr::SET_TID_ADDRESS),
    ("restart_syscall", nr::RESTART_SYSCALL),
    ("semtimedop", nr::SEMTIMEDOP),
    ("fadvise64", nr::FADVISE64),
    ("timer_create", nr::TIMER_CREATE),
    ("timer_settime", nr::TIMER_SETTIME),
    ("timer_gettime", nr::TIMER_GETTIME),
    ("timer_getoverrun", nr::TIMER_GETOVERRUN),
    ("timer_delete", nr::TIMER_DELETE),
    ("clock_settime", nr::CLOCK_SETTIME),
    ("clock_gettime", nr::CLOCK_GETTIME),
    ("clock_getres", nr::CLOCK_GETRES),
    ("clock_nanosleep", nr::CLOCK_NANOSLEEP),
    ("exit_group", nr::EXIT_GROUP),
    ("epoll_wait", nr::EPOLL_WAIT),
    ("epoll_ctl", nr::EPOLL_CTL),
    ("tgkill", nr::TGKILL),
    ("utimes", nr::UTIMES),
    ("vserver", nr::VSERVER),
    ("mbind", nr::MBIND),
    ("set_mempolicy", nr::SET_MEMPOLICY),
    ("get_mempolicy", nr::GET_MEMPOLICY),
    ("mq_open", nr::MQ_OPEN),
    ("mq_unlink", nr::MQ_UNLINK),
    ("mq_timedsend", nr::MQ_TIMEDSEND),
    ("mq_timedreceive", nr::MQ_TIMEDRECEIVE),
    ("mq_notify", nr::MQ_NOTIFY),
    ("mq_getsetattr", nr::MQ_GETSETATTR),
    ("kexec_load", nr::KEXEC_LOAD),
    ("waitid", nr::WAITID),
    ("add_key", nr::ADD_KEY),
    ("request_key", nr::REQUEST_KEY),
    ("keyctl", nr::KEYCTL),
    ("ioprio_set", nr::IOPRIO_SET),
    ("ioprio_get", nr::IOPRIO_GET),
    ("inotify_init", nr::INOTIFY_INIT),
    ("inotify_add_watch", nr::INOTIFY_ADD_WATCH),
    ("inotify_rm_watch", nr::INOTIFY_RM_WATCH),
    ("migrate_pages", nr::MIGRATE_PAGES),
    ("openat", nr::OPENAT),
    ("mkdirat", nr::MKDIRAT),
    ("mknodat", nr::MKNODAT),
    ("fchownat", nr::FCHOWNAT),
    ("futimesat", nr::FUTIMESAT),
    ("newfstatat", nr::NEWFSTATAT),
    ("unlinkat", nr::UNLINKAT),
    ("renameat", nr::RENAMEAT),
    ("linkat", nr::LINKAT),
    ("symlinkat", nr::SYMLINKAT),
    ("readlinkat", nr::READLINKAT),
    ("fchmodat", nr::FCHMODAT),
    ("faccessat", nr::FACCESSAT),
    ("pselect6", nr::PSELECT6),
    ("ppoll", nr::PPOLL),
    ("unshare", nr::UNSHARE),
    ("set_robust_list", nr::SET_ROBUST_LIST),
    ("get_robust_list", nr::GET_ROBUST_LIST),
    ("splice", nr::SPLICE),
    ("tee", nr::TEE),
    ("sync_file_range", nr::SYNC_FILE_RANGE),
    ("vmsplice", nr::VMSPLICE),
    ("move_pages", nr::MOVE_PAGES),
    ("utimensat", nr::UTIMENSAT),
    ("epoll_pwait", nr::EPOLL_PWAIT),
    ("signalfd", nr::SIGNALFD),
    ("timerfd_create", nr::TIMERFD_CREATE),
    ("eventfd", nr::EVENTFD),
    ("fallocate", nr::FALLOCATE),
    ("timerfd_settime", nr::TIMERFD_SETTIME),
    ("timerfd_gettime", nr::TIMERFD_GETTIME),
    ("accept4", nr::ACCEPT4),
    ("signalfd4", nr::SIGNALFD4),
    ("eventfd2", nr::EVENTFD2),
    ("epoll_create1", nr::EPOLL_CREATE1),
    ("dup3", nr::DUP3),
    ("pipe2", nr::PIPE2),
    ("inotify_init1", nr::INOTIFY_INIT1),
    ("preadv", nr::PREADV),
    ("pwritev", nr::PWRITEV),
    ("rt_tgsigqueueinfo", nr::RT_TGSIGQUEUEINFO),
    ("perf_event_open", nr::PERF_EVENT_OPEN),
    ("recvmmsg", nr::RECVMMSG),
    ("fanotify_init", nr::FANOTIFY_INIT),
    ("fanotify_mark", nr::FANOTIFY_MARK),
    ("prlimit64", nr::PRLIMIT64),
    ("name_to_handle_at", nr::NAME_TO_HANDLE_AT),
    ("open_by_handle_at", nr::OPEN_BY_HANDLE_AT),
    ("clock_adjtime", nr::CLOCK_ADJTIME),
    ("syncfs", nr::SYNCFS),
    ("sendmmsg", nr::SENDMMSG),
    ("setns", nr::SETNS),
    ("getcpu", nr::GETCPU),
    ("process_vm_readv", nr::PROCESS_VM_READV),
    ("process_vm_writev", nr::PROCESS_VM_WRITEV),
    ("kcmp", nr::KCMP),
    ("finit_module", nr::FINIT_MODULE),
    ("sched_setattr", nr::SCHED_SETATTR),
    ("sched_getattr", nr::SCHED_GETATTR),
    ("renameat2", nr::RENAMEAT2),
    ("seccomp", nr::SECCOMP),
    ("getrandom", nr::GETRANDOM),
    ("memfd_create", nr::MEMFD_CREATE),
    ("kexec_file_load", nr::KEXEC_FILE_LOAD),
    ("bpf", nr::BPF),
    ("execveat", nr::EXECVEAT),
    ("userfaultfd", nr::USERFAULTFD),
    ("membarrier", nr::MEMBARRIER),
    ("mlock2", nr::MLOCK2),
    ("copy_file_range", nr::COPY_FILE_RANGE),
    ("preadv2", nr::PREADV2),
    ("pwritev2", nr::PWRITEV2),
    ("pkey_mprotect", nr::PKEY_MPROTECT),
    ("pkey_alloc", nr::PKEY_ALLOC),
    ("pkey_free", nr::PKEY_FREE),
    ("statx", nr::STATX),
    ("io_pgetevents", nr::IO_PGETEVENTS),
    ("rseq", nr::RSEQ),
    ("pidfd_send_signal", nr::PIDFD_SEND_SIGNAL),
    ("io_uring_setup", nr::IO_URING_SETUP),
    ("io_uring_enter", nr::IO_URING_ENTER),
    ("io_uring_register", nr::IO_URING_REGISTER),
    ("open_tree", nr::OPEN_TREE),
    ("move_mount", nr::MOVE_MOUNT),
    ("fsopen", nr::FSOPEN),
    ("fsconfig", nr::FSCONFIG),
    ("fsmount", nr::FSMOUNT),
    ("fspick", nr::FSPICK),
    ("pidfd_open", nr::PIDFD_OPEN),
    ("clone3", nr::CLONE3),
    ("close_range", nr::CLOSE_RANGE),
    ("openat2", nr::OPENAT2),
    ("pidfd_getfd", nr::PIDFD_GETFD),
    ("faccessat2", nr::FACCESSAT2),
    ("process_madvise", nr::PROCESS_MADVISE),
    ("epoll_pwait2", nr::EPOLL_PWAIT2),
    ("mount_setattr", nr::MOUNT_SETATTR),
    ("quotactl_fd", nr::QUOTACTL_FD),
    ("landlock_create_ruleset", nr::LANDLOCK_CREATE_RULESET),
    ("landlock_add_rule", nr::LANDLOCK_ADD_RULE),
    ("landlock_restrict_self", nr::LANDLOCK_RESTRICT_SELF),
    ("memfd_secret", nr::MEMFD_SECRET),
    ("process_mrelease", nr::PROCESS_MRELEASE),
    ("futex_waitv", nr::FUTEX_WAITV),
    ("set_mempolicy_home_node", nr::SET_MEMPOLICY_HOME_NODE),
    ("cachestat", nr::CACHESTAT),
    ("fchmodat2", nr::FCHMODAT2),
    ("map_shadow_stack", nr::MAP_SHADOW_STACK),
    ("futex_wake", nr::FUTEX_WAKE),
    ("futex_wait", nr::FUTEX_WAIT),
    ("futex_requeue", nr::FUTEX_REQUEUE),
    ("statmount", nr::STATMOUNT),
    ("listmount", nr::LISTMOUNT),
    ("lsm_get_self_attr", nr::LSM_GET_SELF_ATTR),
    ("lsm_set_self_attr", nr::LSM_SET_SELF_ATTR),
    ("lsm_list_modules", nr::LSM_LIST_MODULES),
    ("mseal", nr::MSEAL),
];

/// The number of an x86_64 syscall name.
pub fn number(name: &str) -> Option<u32> {
    X86_64.iter().find(|(n, _)| *n == name).map(|(_, nr)| *nr)
}

/// The name of an x86_64 syscall number.
pub fn name(nr: u32) -> Option<&'static str> {
    X86_64
        .binary_search_by_key(&nr, |(_, n)| *n)
        .ok()
        .and_then(|i| X86_64.get(i))
        .map(|(n, _)| *n)
}

/// ia32 syscall numbers by name (`data/ia32_syscalls.tsv`).
const IA32: &str = include_str!("../data/ia32_syscalls.tsv");

/// The x86_64 syscall that the ia32 syscall `nr32` is the 32-bit form of: the one of
/// the same name, the `*32` variants (`setuid32`, `chown32`, ...) standing for the
/// plain name. `None` for ia32-only calls (`socketcall`, `stat64`, `mmap2`, ...).
pub fn ia32_twin(nr32: u32) -> Option<u32> {
    let name = IA32.lines().find_map(|line| {
        let (name, number) = line.split_once('\t')?;
        (!line.starts_with('#') && number.parse::<u32>().ok()? == nr32).then_some(name)
    })?;
    number(name).or_else(|| number(name.strip_suffix("32")?))
}
