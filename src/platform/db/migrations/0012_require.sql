-- A statement that fails its transaction unless a condition holds, with SQLSTATE VG409: lets a
-- pipelined transaction (docs/architecture.md#pipelined-statements) check what it assumed
-- without waiting for an answer. The sign-in assumes an untouched lockout counter this way.
CREATE FUNCTION vigil_require(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'assumption failed: %', what USING ERRCODE = 'VG409';
  END IF;
  RETURN true;
END
$$;
