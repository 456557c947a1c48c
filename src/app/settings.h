// The -S name=value registry: every setting tcpflow accepts, with its type,
// default and one-line description. The table drives both validation (an
// unknown name or an ill-typed value is a usage error) and the -hh listing, so
// the two cannot drift apart.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/config.h"

namespace tcpflow::app {

enum class SettingType : uint8_t { kBool, kInteger, kDouble, kString };

struct SettingSpec {
  const char* name;
  const char* default_value;
  SettingType type;
  const char* description;
  // Inclusive bounds for kInteger and kDouble (ignored for the others).
  double min_value = 0;
  double max_value = 0;
  bool size_suffix = false;  // kInteger: K/M/G (powers of 1024) accepted
};

// Every setting, in the order -hh lists them.
const std::vector<SettingSpec>& setting_specs();

// nullptr when the name is not registered.
const SettingSpec* find_setting(std::string_view name);

// YES/NO, true/false, 1/0 in any case; nullopt for anything else.
std::optional<bool> parse_bool_text(std::string_view text);

// Plain decimal, optionally followed by one of K, M, G (any case; powers of
// 1024) when allow_suffix. nullopt on anything else, including overflow.
std::optional<uint64_t> parse_unsigned_text(std::string_view text, bool allow_suffix);

// Splits "name=value" (the value may be empty and may contain '=').
// Throws UsageError when there is no '=' or the name is empty.
std::pair<std::string, std::string> split_setting(const std::string& pair);

// Validates one -S pair against the registry and copies its typed value into
// the matching Config field; the raw text goes into config.settings.
// Throws UsageError naming the setting for an unknown name or a bad value.
void apply_setting(const std::string& name, const std::string& value, Config& config);

// "  -S name=default  description" lines for -hh.
std::string settings_help();

}  // namespace tcpflow::app
