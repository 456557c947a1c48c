// md5: the MD5 of every flow file (-e md5, -FM), computed while streaming.
#pragma once
#include <memory>

#include "scanners/scanner.h"
#include "util/md5.h"

namespace tcpflow::scanners {

std::unique_ptr<Scanner> make_md5_scanner();

using Md5 = tcpflow::Md5;

}  // namespace tcpflow::scanners
