#ifndef PARALLAX_CSPOOL_H
#define PARALLAX_CSPOOL_H

/// syncfs(2): commits every dirty page of the file system holding `fd` in one call. The spool
/// uses it to make many newly written blobs durable at once instead of one fsync per file.
int parallax_syncfs(int fd);

#endif
