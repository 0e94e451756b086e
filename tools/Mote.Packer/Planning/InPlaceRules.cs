using System;
using System.Collections.Generic;
using Mote.Packer.Graph;
using Mote.Runtime.Format;

namespace Mote.Packer.Planning
{
    /// <summary>
    /// One in-place reuse: operator <see cref="Op"/> writes its output <see cref="Output"/> at the same
    /// arena offset as its input <see cref="Input"/>, which no later operator reads.
    /// </summary>
    public sealed record PlanAlias(int Op, int Input, int Output, string Rule);

    /// <summary>
    /// Which operators may write their output over one of their inputs, for a kernel tier
    /// (docs/memory.md, "In-place reuse"). The rules are checked against the kernels as they are written:
    /// <list type="bullet">
    /// <item>RESHAPE, SQUEEZE (any tier): the interpreter copies the input bytes to the output only when the
    /// two regions differ; at the same offset the output simply is the input (a view).</item>
    /// <item>LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, QUANTIZE, HARD_SWISH (reference tier): int8 in and out,
    /// same element count; each reference kernel is one loop that reads input[i], computes, then writes
    /// output[i], and touches no other element, so writing element i never destroys an element still to be read.</item>
    /// <item>ADD, SUB, MUL (reference tier): the aliased input has exactly the output's shape (so it is read at the
    /// same flat index as the element written, also on the broadcasting path, whose strides for that input are
    /// the output's row-major strides); the other input, broadcast or not, is a different buffer live at the
    /// same step and so never overlaps the output.</item>
    /// <item>int16 (format 1.3): ADD, SUB, MUL and LEAKY_RELU with int16 input and output — their int16 kernels
    /// read the two bytes of element i before writing the two bytes of output element i, as above. Every other
    /// op runs in place on int8 only.</item>
    /// </list>
    /// Conditions for every alias: the input is an activation that no operator after this one reads (it dies
    /// here); a model output is never overwritten because it lives to the end. Model inputs stay intact after
    /// Invoke: a view may share a model input's bytes (it changes none), but no kernel writes over a model input
    /// or a view of one — unless the caller opts in with <see cref="PlanOptions.OverwriteModelInputs"/>. Excluded on purpose: SOFTMAX (reads a whole row before
    /// writing it), pools, convolutions, FULLY_CONNECTED, PAD, CONCATENATION, MEAN (read neighbourhoods or
    /// whole rows, or write at other indices than they read).
    /// </summary>
    public static class InPlaceRules
    {
        /// <summary>The tier the reference kernels of src/Mote.Runtime/Kernels/Reference form.</summary>
        public const string ReferenceTier = "reference";

        /// <summary>Whether <paramref name="code"/>'s kernel of <paramref name="kernelTier"/> may write over its dying input.</summary>
        public static bool IsWhitelisted(int code, string kernelTier)
        {
            if (code == OpCode.Reshape || code == OpCode.Squeeze) return true;
            if (!string.Equals(kernelTier ?? ReferenceTier, ReferenceTier, StringComparison.Ordinal)) return false;
            switch (code)
            {
                case OpCode.Logistic:
                case OpCode.Tanh:
                case OpCode.Relu:
                case OpCode.Relu6:
                case OpCode.LeakyRelu:
                case OpCode.Quantize:
                case OpCode.HardSwish:
                case OpCode.Add:
                case OpCode.Sub:
                case OpCode.Mul:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>int8 in and out for every whitelisted kernel; int16 in and out for the int16 element-wise kernels of ADD, SUB, MUL and LEAKY_RELU.</summary>
        static bool InPlaceElementType(int code, int inputType, int outputType)
        {
            if (inputType == DataType.Int8 && outputType == DataType.Int8) return true;
            return inputType == DataType.Int16 && outputType == DataType.Int16
                && (code == OpCode.Add || code == OpCode.Sub || code == OpCode.Mul || code == OpCode.LeakyRelu);
        }

        static bool SameShape(int[] a, int[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>
        /// Every alias the rules allow in <paramref name="g"/> (at most one per operator, the first qualifying input),
        /// in operator order. Lifetimes as <see cref="ArenaPlanner.Lifetimes"/>.
        /// </summary>
        public static List<PlanAlias> Candidates(PackGraph g, string kernelTier, bool overwriteModelInputs = false)
        {
            var result = new List<PlanAlias>();
            int n = g.Tensors.Count;
            var last = new int[n];
            Array.Fill(last, int.MinValue);
            var isInput = new bool[n];
            foreach (int t in g.Inputs) if (t >= 0 && t < n) isInput[t] = true;
            // Bytes the caller's model inputs occupy: the inputs and views of them (operator order extends this).
            var inputBytes = (bool[])isInput.Clone();
            for (int i = 0; i < g.Operators.Count; i++)
                foreach (int t in g.Operators[i].Inputs) if (t >= 0) last[t] = Math.Max(last[t], i);
            foreach (int t in g.Outputs) if (t >= 0) last[t] = g.Operators.Count;

            for (int s = 0; s < g.Operators.Count; s++)
            {
                var op = g.Operators[s];
                if (op.Outputs.Length != 1 || !IsWhitelisted(op.Code, kernelTier)) continue;
                int o = op.Outputs[0];
                if (o < 0 || g.Tensors[o].IsConstant || g.Tensors[o].IsVariable || isInput[o]) continue;
                var ot = g.Tensors[o];
                bool binary = op.Code == OpCode.Add || op.Code == OpCode.Sub || op.Code == OpCode.Mul;
                int candidates = binary ? Math.Min(2, op.Inputs.Length) : Math.Min(1, op.Inputs.Length);
                for (int k = 0; k < candidates; k++)
                {
                    int x = op.Inputs[k];
                    if (x < 0 || x == o) continue;
                    var xt = g.Tensors[x];
                    if (xt.IsConstant || xt.IsVariable || last[x] != s || xt.Bytes != ot.Bytes) continue;
                    string rule;
                    if (op.Code == OpCode.Reshape || op.Code == OpCode.Squeeze)
                    {
                        rule = "view";
                        inputBytes[o] = inputBytes[x];
                    }
                    else if (inputBytes[x] && !overwriteModelInputs)
                        continue;
                    else if (!InPlaceElementType(op.Code, xt.DataType, ot.DataType))
                        continue;
                    else if (binary)
                    {
                        if (!SameShape(xt.Shape, ot.Shape)) continue;
                        rule = "elementwise, input " + k + " has the output's shape";
                    }
                    else
                        rule = "elementwise";
                    result.Add(new PlanAlias(s, x, o, rule));
                    break;
                }
            }
            return result;
        }
    }
}
