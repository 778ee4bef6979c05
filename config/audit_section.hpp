// The `audit:` section of the config: thresholds of `nswatch audit` (docs/AUDIT-CHECKS.md
// defaults).
#pragma once

#include "config/audit_settings.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

/// Read `audit:` into `t`; unknown keys and out-of-range values fail with line:column.
void read_audit_section(const Reader& in, const Field& field, AuditThresholds& t);

}  // namespace nswatch::config_detail
