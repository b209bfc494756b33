// hookwarden: the daemon and the command-line tool are one binary.
#include "daemon/cli/cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
    return hookwarden::run_cli(argc, argv, std::cout, std::cerr);
}
