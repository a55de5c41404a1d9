#define _GNU_SOURCE
#include <unistd.h>
#include "cspool.h"

int parallax_syncfs(int fd) {
    return syncfs(fd);
}
