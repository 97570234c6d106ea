// ort.js MODEL INPUT OUTPUT N DIM...: runs an ONNX model in ONNX Runtime
// (onnxruntime-node, found through NODE_PATH) on INPUT, little-endian
// float32 values of shape [N, DIM...] fed as the tensor "input", and writes
// the tensor "probabilities" to OUTPUT as little-endian float32, in
// batches of 500 samples.
const ort = require('onnxruntime-node');
const fs = require('fs');

async function main() {
  const [model, input, output, ...dims] = process.argv.slice(2);
  const shape = dims.map(Number);
  const buf = fs.readFileSync(input);
  const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const session = await ort.InferenceSession.create(model);
  const parts = [];
  for (let lo = 0; lo < shape[0]; lo += 500) {
    const n = Math.min(500, shape[0] - lo);
    const t = new ort.Tensor('float32', x.subarray(lo * per, (lo + n) * per), [n, ...shape.slice(1)]);
    const out = await session.run({ input: t });
    parts.push(Buffer.from(out.probabilities.data.buffer, out.probabilities.data.byteOffset, out.probabilities.data.byteLength));
  }
  fs.writeFileSync(output, Buffer.concat(parts));
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
