# Collects `hookwarden --help` and every `hookwarden COMMAND --help` into one
# plain-text manual (installed as /usr/share/doc/hookwarden/hookwarden.txt).
execute_process(COMMAND ${HOOKWARDEN} --help OUTPUT_VARIABLE overview RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hookwarden --help failed")
endif()
set(manual "HOOKWARDEN(8)\n\n${overview}")
string(REGEX MATCHALL "\n  [a-z]+  " lines "${overview}")
foreach(line IN LISTS lines)
  string(STRIP "${line}" command)
  execute_process(COMMAND ${HOOKWARDEN} ${command} --help OUTPUT_VARIABLE text)
  string(APPEND manual "\n\n== hookwarden ${command} ==\n\n${text}")
endforeach()
file(WRITE ${OUTPUT} "${manual}")
