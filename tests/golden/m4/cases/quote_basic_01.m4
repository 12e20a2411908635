`hello' world
`define' is quoted, define is not blind-called here
``double' quoted'
