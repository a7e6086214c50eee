// RecurPlatform: the few system calls Swift's Glibc module does not expose.
#ifndef RECUR_PLATFORM_H
#define RECUR_PLATFORM_H

/// Swaps the two paths `a` and `b` in one atomic step (both must exist): Linux's
/// renameat2(RENAME_EXCHANGE), macOS's renamex_np(RENAME_SWAP). Returns 0, or -1 with errno set
/// (EINVAL or ENOSYS where the system or file system cannot exchange: the caller falls back).
int recur_rename_exchange(const char *a, const char *b);

#endif
