// The registry of commands. Each is defined in its own command_<name>.cpp;
// adding one means declaring it here and listing it in cli.cpp.
#pragma once

#include "daemon/cli/cli.hpp"

namespace hookwarden {

extern const Command validate_command;
extern const Command plan_command;
extern const Command apply_command;
extern const Command export_command;
extern const Command run_command;
extern const Command status_command;
extern const Command transform_command;
extern const Command receive_command;

} // namespace hookwarden
