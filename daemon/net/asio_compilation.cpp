// The one translation unit that compiles Boost.Asio, Asio's SSL layer and
// Boost.Beast. With BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION set (by the hookwarden_asio target) no
// other file instantiates their non-template internals again, which keeps
// incremental builds on two cores in seconds.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
