// Package nn is a small float32 neural-network library: matrices, the
// layers of a multi-layer perceptron, a softmax cross-entropy loss, the
// Adam and SGD optimizers, and model files.
//
// # Matrices
//
// A [Matrix] is row-major over one backing slice. Every matrix product goes
// through [MatMul], so there is one place where speed is decided.
//
// # Layers
//
// [Dense], [Activation] (ReLU or leaky ReLU), [GELU], [LayerNorm],
// [BatchNorm], [Dropout] and [Residual] each have a Forward and a Backward
// over a whole batch; each documents its shapes and its derivative next
// to its code. Layers own their output buffers, which
// are reused from batch to batch, so a warm training step does not
// allocate. [SoftmaxCrossEntropy] computes the loss with log-sum-exp, so
// large logits do not overflow; it takes label smoothing and mixup's
// blended targets.
//
// # Networks
//
// An [MLP] is built from an [Arch]: input width, hidden widths, class
// count, activation, norm and block (plain, or pre-norm residual blocks).
// [Arch.Graph] lists its layers as [Node]s of the Kind* kinds, in order,
// with the names of their tensors in the model file: the model
// description for code that reads model files. All parameters live in one buffer, MLP.Params,
// with named views per layer, and all gradients in MLP.Grads of the same
// layout; an [Optimizer] updates the whole buffer in one call.
//
//	net, _ := nn.New(nn.Arch{Inputs: 4, Hidden: []int{1000, 100}, Classes: 3, Activation: nn.ReLU}, seed)
//	opt := nn.NewAdam(len(net.Params), 5e-4)
//	loss, correct := net.TrainBatch(x, labels)
//	opt.Step(net.Params, net.Grads)
//
// # Files
//
// Models are safetensors files ([SaveModel], [LoadModel]): the weights as
// float32 tensors, and in the metadata the architecture, class names,
// input shape and input normalization, so a model file is all that
// classifying new input needs. Files are written atomically and carry a
// checksum; a damaged, truncated, foreign or newer file is refused with an
// error that says which.
//
// Gradients are checked against central finite differences in the tests,
// layer by layer and for whole networks.
package nn
