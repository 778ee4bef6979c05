// The "last propagation per provider" part of `nswatch status --db`, from the propagation tables
// (propagation/propagation_store.hpp). Databases written before propagation existed have none.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace nswatch {

/// One line per zone and provider: seconds of the last run, or that it did not complete.
void print_propagation(const std::string& db, std::ostream& out);
/// The same as JSON (an array; empty when there are no runs).
nlohmann::json propagation_json(const std::string& db);

}  // namespace nswatch
