// Loaded by path (DataConverter.failureConverterPath): the SDK require()s it in the client and
// the worker and bundles it into the workflow sandbox. It is plain CommonJS on purpose, because
// a .ts file cannot be require()d there.
//
// Error messages and stack traces go into the failure's encoded attributes, so the payload codec
// encrypts them like any other payload instead of leaving them as clear text in the history.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
