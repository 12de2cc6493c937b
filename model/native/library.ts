import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

export class XGBoostLibraryError extends Error {
  readonly code = 'XGBOOST_LIBRARY';
  constructor(message: string) {
    super(message);
    this.name = 'XGBoostLibraryError';
  }
}

/** An XGBoost C API call that returned non-zero, with XGBoost's own message. */
export class XGBoostCallError extends Error {
  readonly code = 'XGBOOST_CALL';
  constructor(readonly call: string, message: string) {
    super(`${call}: ${message}`);
    this.name = 'XGBoostCallError';
  }
}

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

/** Where libxgboost is looked for: LUTFLOW_XGBOOST_LIB, else the project's .venv (xgboost-cpu wheel). */
export function findXGBoostLibrary(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.LUTFLOW_XGBOOST_LIB;
  if (explicit) {
    if (!existsSync(explicit)) throw new XGBoostLibraryError(`LUTFLOW_XGBOOST_LIB=${explicit}: no such file`);
    return explicit;
  }
  const venvLib = join(PROJECT_ROOT, '.venv', 'lib');
  if (existsSync(venvLib)) {
    for (const py of readdirSync(venvLib)) {
      const candidate = join(venvLib, py, 'site-packages', 'xgboost', 'lib', 'libxgboost.so');
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new XGBoostLibraryError(
    `libxgboost not found: run 'bash scripts/setup.sh' (installs the xgboost-cpu wheel into ${join(PROJECT_ROOT, '.venv')}) ` +
    'or set LUTFLOW_XGBOOST_LIB to a libxgboost.so of XGBoost 2.0 or newer',
  );
}

// Named handle types, referred to by name in the signatures below.
koffi.pointer('DMatrixHandle', koffi.opaque());
koffi.pointer('BoosterHandle', koffi.opaque());

function bind(path: string) {
  const lib = koffi.load(path);
  return {
    path,
    XGBGetLastError: lib.func('const char *XGBGetLastError()'),
    XGBoostVersion: lib.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    XGDMatrixCreateFromMat: lib.func('int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ DMatrixHandle *out)'),
    XGDMatrixSetFloatInfo: lib.func('int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, uint64_t len)'),
    XGDMatrixSetStrFeatureInfo: lib.func('int XGDMatrixSetStrFeatureInfo(DMatrixHandle handle, const char *field, const char **features, uint64_t size)'),
    XGBoosterSetStrFeatureInfo: lib.func('int XGBoosterSetStrFeatureInfo(BoosterHandle handle, const char *field, const char **features, uint64_t size)'),
    XGDMatrixFree: lib.func('int XGDMatrixFree(DMatrixHandle handle)'),
    XGBoosterCreate: lib.func('int XGBoosterCreate(DMatrixHandle *dmats, uint64_t len, _Out_ BoosterHandle *out)'),
    XGBoosterFree: lib.func('int XGBoosterFree(BoosterHandle handle)'),
    XGBoosterSetParam: lib.func('int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: lib.func('int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain)'),
    XGBoosterEvalOneIter: lib.func('int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle *dmats, const char **evnames, uint64_t len, _Out_ const char **out)'),
    XGBoosterSlice: lib.func('int XGBoosterSlice(BoosterHandle handle, int begin, int end, int step, _Out_ BoosterHandle *out)'),
    XGBoosterSaveModel: lib.func('int XGBoosterSaveModel(BoosterHandle handle, const char *fname)'),
    XGBoosterLoadModel: lib.func('int XGBoosterLoadModel(BoosterHandle handle, const char *fname)'),
    XGBoosterPredictFromDMatrix: lib.func('int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, const char *config, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **result)'),
    XGBoosterPredictFromDense: lib.func('int XGBoosterPredictFromDense(BoosterHandle handle, const char *values, const char *config, DMatrixHandle m, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **result)'),
  };
}

export type XGBoostLibrary = ReturnType<typeof bind>;

let loaded: XGBoostLibrary | undefined;

/** Loads libxgboost once per process. OpenMP busy-waits under contention unless told otherwise. */
export function loadXGBoost(env: NodeJS.ProcessEnv = process.env): XGBoostLibrary {
  if (loaded) return loaded;
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const path = findXGBoostLibrary(env);
  try {
    loaded = bind(path);
  } catch (err) {
    throw new XGBoostLibraryError(`cannot load ${path}: ${(err as Error).message}`);
  }
  const [major] = xgboostVersion(loaded);
  if (major < 2) throw new XGBoostLibraryError(`${path} is XGBoost ${xgboostVersion(loaded).join('.')}; 2.0 or newer is required`);
  return loaded;
}

export function xgboostVersion(lib: XGBoostLibrary): [number, number, number] {
  const major = [0], minor = [0], patch = [0];
  lib.XGBoostVersion(major, minor, patch);
  return [major[0], minor[0], patch[0]];
}

/** Calls a C API function and turns a non-zero return into an error carrying XGBoost's message. */
export function check(lib: XGBoostLibrary, call: string, rc: number): void {
  if (rc !== 0) throw new XGBoostCallError(call, String(lib.XGBGetLastError()).split('\n\nStack trace:')[0].replace(/^\[[\d:]+\] \S+: /, ''));
}

export { koffi };
