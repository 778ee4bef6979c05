// The open-files limit every nswatch command runs with.
#pragma once

namespace nswatch {

/// The probe engine keeps a socket per nameserver address and transport open while it lives
/// (c-ares STAYOPEN), so a daemon watching, or an audit of, thousands of distinct addresses needs
/// more descriptors than the usual soft limit of 1,024: raise the soft limit to the hard one, as
/// servers commonly do. A failure is logged, not fatal.
void raise_descriptor_limit();

}  // namespace nswatch
