using System;
using System.Linq;

namespace Mote.Packer.Float
{
    /// <summary>
    /// Runs a <see cref="FloatGraph"/> in float32 on the host: the reference for calibration and for
    /// the float-vs-int8 report. Straightforward loops in the graph's NHWC layout, float accumulation
    /// as ONNX Runtime's CPU kernels do; cross-checked against ONNX Runtime in the tests.
    /// Every tensor's values stay readable after <see cref="Run"/> (calibration observes them all).
    /// </summary>
    public sealed class FloatInterpreter
    {
        readonly FloatGraph g;
        /// <summary>Values of every tensor after the last run (constants: their data).</summary>
        public readonly float[][] Values;

        public FloatInterpreter(FloatGraph graph)
        {
            g = graph;
            Values = new float[g.Tensors.Count][];
            foreach (var t in g.Tensors)
                Values[t.Index] = t.Data ?? new float[t.ElementCount];
        }

        public FloatGraph Graph => g;

        /// <summary>Runs the graph on inputs given in the graph's layout (one array per graph input).</summary>
        public void Run(params float[][] inputs)
        {
            if (inputs.Length != g.Inputs.Count)
                throw new ArgumentException($"the graph has {g.Inputs.Count} input(s); {inputs.Length} given");
            for (int i = 0; i < inputs.Length; i++)
            {
                var t = g.Tensors[g.Inputs[i].Tensor];
                if (inputs[i].Length != t.ElementCount)
                    throw new ArgumentException($"input {i} ({t.Describe}) needs {t.ElementCount} values; {inputs[i].Length} given");
                Array.Copy(inputs[i], Values[t.Index], t.ElementCount);
            }
            foreach (var op in g.Ops) Eval(op);
        }

        /// <summary>Output <paramref name="i"/> in the graph's layout.</summary>
        public float[] Output(int i) => Values[g.Outputs[i].Tensor];

        void Eval(FOp op)
        {
            var o = Values[op.Outputs[0]];
            var os = g.Tensors[op.Outputs[0]].Shape;
            float[] In(int k) => Values[op.Inputs[k]];
            int[] Shape(int k) => g.Tensors[op.Inputs[k]].Shape;
            switch (op.Kind)
            {
                case FloatOpKind.Conv2D: Conv(op, In(0), Shape(0), In(1), Shape(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, o, os, false); break;
                case FloatOpKind.DepthwiseConv2D: Conv(op, In(0), Shape(0), In(1), Shape(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, o, os, true); break;
                case FloatOpKind.FullyConnected: FullyConnected(op, In(0), In(1), Shape(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, o); break;
                case FloatOpKind.Add: Broadcast(In(0), Shape(0), In(1), Shape(1), o, os, (a, b) => a + b); Activate(o, op.Activation); break;
                case FloatOpKind.Mul: Broadcast(In(0), Shape(0), In(1), Shape(1), o, os, (a, b) => a * b); Activate(o, op.Activation); break;
                case FloatOpKind.MaxPool2D: Pool(op, In(0), Shape(0), o, os, true); break;
                case FloatOpKind.AveragePool2D: Pool(op, In(0), Shape(0), o, os, false); break;
                case FloatOpKind.Relu: Map(In(0), o, x => Math.Max(x, 0f)); break;
                case FloatOpKind.Relu6: Map(In(0), o, x => Math.Min(Math.Max(x, 0f), 6f)); break;
                case FloatOpKind.LeakyRelu: { float a = op.Alpha; Map(In(0), o, x => x >= 0 ? x : a * x); break; }
                case FloatOpKind.Logistic: Map(In(0), o, x => 1f / (1f + MathF.Exp(-x))); break;
                case FloatOpKind.Tanh: Map(In(0), o, MathF.Tanh); break;
                case FloatOpKind.Softmax: Softmax(In(0), o, os[^1], op.Beta); break;
                case FloatOpKind.Reshape: Array.Copy(In(0), o, o.Length); break;
                case FloatOpKind.Concatenation: Concat(op, o, os); break;
                case FloatOpKind.Pad: Pad(op, In(0), Shape(0), o, os); break;
                default: throw new NotSupportedException(op.Kind.ToString());
            }
        }

        static void Map(float[] x, float[] o, Func<float, float> f)
        {
            for (int i = 0; i < o.Length; i++) o[i] = f(x[i]);
        }

        static void Activate(float[] o, FusedActivation act)
        {
            switch (act)
            {
                case FusedActivation.Relu: for (int i = 0; i < o.Length; i++) o[i] = Math.Max(o[i], 0f); break;
                case FusedActivation.Relu6: for (int i = 0; i < o.Length; i++) o[i] = Math.Min(Math.Max(o[i], 0f), 6f); break;
                case FusedActivation.ReluN1To1: for (int i = 0; i < o.Length; i++) o[i] = Math.Min(Math.Max(o[i], -1f), 1f); break;
            }
        }

        static void Conv(FOp op, float[] x, int[] xs, float[] w, int[] ws, float[] bias, float[] o, int[] os, bool depthwise)
        {
            int n = xs[0], ih = xs[1], iw = xs[2], ic = xs[3];
            int kh = ws[1], kw = ws[2];
            int oh = os[1], ow = os[2], oc = os[3];
            int mult = depthwise ? oc / ic : 1;
            for (int b = 0; b < n; b++)
                for (int y = 0; y < oh; y++)
                    for (int xo = 0; xo < ow; xo++)
                        for (int c = 0; c < oc; c++)
                        {
                            float acc = bias != null ? bias[c] : 0f;
                            for (int ky = 0; ky < kh; ky++)
                            {
                                int yy = y * op.StrideH - op.PadTop + ky * op.DilationH;
                                if (yy < 0 || yy >= ih) continue;
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int xx = xo * op.StrideW - op.PadLeft + kx * op.DilationW;
                                    if (xx < 0 || xx >= iw) continue;
                                    int xb = ((b * ih + yy) * iw + xx) * ic;
                                    if (depthwise)
                                        acc += x[xb + c / mult] * w[(ky * kw + kx) * oc + c];
                                    else
                                    {
                                        int wb = ((c * kh + ky) * kw + kx) * ic;
                                        for (int i = 0; i < ic; i++) acc += x[xb + i] * w[wb + i];
                                    }
                                }
                            }
                            o[((b * oh + y) * ow + xo) * oc + c] = acc;
                        }
            Activate(o, op.Activation);
        }

        static void FullyConnected(FOp op, float[] x, float[] w, int[] ws, float[] bias, float[] o)
        {
            int outDepth = ws[0], depth = ws[1];
            int rows = x.Length / depth;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < outDepth; c++)
                {
                    float acc = bias != null ? bias[c] : 0f;
                    for (int k = 0; k < depth; k++) acc += x[r * depth + k] * w[c * depth + k];
                    o[r * outDepth + c] = acc;
                }
            Activate(o, op.Activation);
        }

        /// <summary>NumPy broadcasting of two operands to the output shape.</summary>
        static void Broadcast(float[] a, int[] sa, float[] b, int[] sb, float[] o, int[] so, Func<float, float, float> f)
        {
            int rank = so.Length;
            var stA = BroadcastStrides(sa, rank);
            var stB = BroadcastStrides(sb, rank);
            var idx = new int[rank];
            for (int i = 0; i < o.Length; i++)
            {
                int ia = 0, ib = 0;
                for (int k = 0; k < rank; k++) { ia += idx[k] * stA[k]; ib += idx[k] * stB[k]; }
                o[i] = f(a[ia], b[ib]);
                for (int k = rank - 1; k >= 0; k--)
                {
                    if (++idx[k] < so[k]) break;
                    idx[k] = 0;
                }
            }
        }

        /// <summary>Strides of a tensor right-aligned to <paramref name="rank"/> dimensions; 0 where broadcast.</summary>
        internal static int[] BroadcastStrides(int[] shape, int rank)
        {
            var st = new int[rank];
            int s = 1;
            for (int k = shape.Length - 1; k >= 0; k--)
            {
                int r = rank - shape.Length + k;
                st[r] = shape[k] == 1 ? 0 : s;
                s *= shape[k];
            }
            return st;
        }

        static void Pool(FOp op, float[] x, int[] xs, float[] o, int[] os, bool max)
        {
            int n = xs[0], ih = xs[1], iw = xs[2], c = xs[3], oh = os[1], ow = os[2];
            for (int b = 0; b < n; b++)
                for (int y = 0; y < oh; y++)
                    for (int xo = 0; xo < ow; xo++)
                        for (int ch = 0; ch < c; ch++)
                        {
                            float acc = max ? float.NegativeInfinity : 0f;
                            int count = 0;
                            for (int ky = 0; ky < op.FilterH; ky++)
                            {
                                int yy = y * op.StrideH - op.PadTop + ky;
                                if (yy < 0 || yy >= ih) continue;
                                for (int kx = 0; kx < op.FilterW; kx++)
                                {
                                    int xx = xo * op.StrideW - op.PadLeft + kx;
                                    if (xx < 0 || xx >= iw) continue;
                                    float v = x[((b * ih + yy) * iw + xx) * c + ch];
                                    if (max) acc = Math.Max(acc, v); else acc += v;
                                    count++;
                                }
                            }
                            o[((b * oh + y) * ow + xo) * c + ch] = max ? acc : count == 0 ? 0f : acc / count;
                        }
            Activate(o, op.Activation);
        }

        static void Softmax(float[] x, float[] o, int depth, float beta)
        {
            for (int r = 0; r + depth <= x.Length; r += depth)
            {
                float m = float.NegativeInfinity;
                for (int i = 0; i < depth; i++) m = Math.Max(m, x[r + i]);
                float sum = 0;
                for (int i = 0; i < depth; i++) sum += o[r + i] = MathF.Exp((x[r + i] - m) * beta);
                for (int i = 0; i < depth; i++) o[r + i] /= sum;
            }
        }

        void Concat(FOp op, float[] o, int[] os)
        {
            int axis = op.Axis;
            int outer = 1, inner = 1;
            for (int k = 0; k < axis; k++) outer *= os[k];
            for (int k = axis + 1; k < os.Length; k++) inner *= os[k];
            int offset = 0;
            foreach (int t in op.Inputs)
            {
                var x = Values[t];
                int chunk = g.Tensors[t].Shape[axis] * inner;
                for (int b = 0; b < outer; b++)
                    Array.Copy(x, b * chunk, o, b * os[axis] * inner + offset, chunk);
                offset += chunk;
            }
        }

        static void Pad(FOp op, float[] x, int[] xs, float[] o, int[] os)
        {
            Array.Clear(o);
            int rank = xs.Length;
            var oStrides = new int[rank];
            int s = 1;
            for (int k = rank - 1; k >= 0; k--) { oStrides[k] = s; s *= os[k]; }
            var idx = new int[rank];
            for (int i = 0; i < x.Length; i++)
            {
                int dst = 0;
                for (int k = 0; k < rank; k++) dst += (idx[k] + op.Paddings[2 * k]) * oStrides[k];
                o[dst] = x[i];
                for (int k = rank - 1; k >= 0; k--)
                {
                    if (++idx[k] < xs[k]) break;
                    idx[k] = 0;
                }
            }
        }
    }
}
