-- The sign-in no longer assumes an untouched lockout counter and checks it at COMMIT: it reads the
-- counter in its transaction on every branch (docs/adr/0010-no-pipelined-statements.md).
DROP FUNCTION vigil_require(boolean, text);
