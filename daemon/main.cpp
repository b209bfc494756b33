#include <cstdio>
int main() { std::puts("hookwarden 0.1.0"); return 0; }
