using System;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Packer.Graph;
using Mote.Packer.Quantization;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// Variable (state) tensors, format 1.3: the blob marks them, the planner keeps them out of every
    /// other tensor's bytes for the whole program, the interpreter clears them at construction and on
    /// ResetState (int8 to the zero point, others to 0, as TFLM's ResetVariableTensors) and Invoke keeps them.
    /// </summary>
    public class VariableTensorTests
    {
        /// <summary>
        /// input int8[1,8] → ADD(input, state) → a → ADD(a, input) → output, with state an int8 variable
        /// tensor (zero point 5) and a second, int16, variable tensor that no operator reads (it must still
        /// get its own bytes and be cleared to 0).
        /// </summary>
        static PackGraph StateGraph(out int state, out int state16)
        {
            var g = new PackGraph { SourceName = "state-graph" };
            PackTensor Act(string name, int zp) => g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1, 8 }, Scales = new[] { 0.1f }, ZeroPoint = zp, Name = name });
            var input = Act("input", 0);
            var s = Act("state", 5);
            s.IsVariable = true;
            var s16 = g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { 1, 8 }, Scales = new[] { 0.001f }, Name = "state16", IsVariable = true });
            var a = Act("a", 0);
            var o = Act("output", 0);
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { o.Index };
            void Add(PackTensor x, PackTensor y, PackTensor z)
            {
                var p = new AddParams();
                TfliteQuantMath.Add(x.Scales[0], x.ZeroPoint, y.Scales[0], y.ZeroPoint, z.Scales[0], z.ZeroPoint, 0, p);
                g.Operators.Add(new PackOperator { Code = OpCode.Add, Inputs = new[] { x.Index, y.Index }, Outputs = new[] { z.Index },
                    Params = new[] { p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier,
                        p.Input2Shift, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax } });
            }
            Add(input, s, a);
            Add(a, input, o);
            state = s.Index;
            state16 = s16.Index;
            return g;
        }

        [Fact]
        public void Pack_VariableTensors_MarkedInTheBlob_AndGivenBytesNoOtherTensorShares()
        {
            var g = StateGraph(out int state, out int state16);
            var blob = Packer.Finish(g, 0).Blob;
            var m = Model.Load(blob);
            Assert.Equal(2, m.VariableTensorCount);
            var infos = Enumerable.Range(0, m.TensorCount).Select(m.GetTensor).ToList();
            Assert.Equal(new[] { state, state16 }, infos.Where(t => t.IsVariable).Select(t => t.Index).ToArray());
            foreach (var v in infos.Where(t => t.IsVariable))
                foreach (var t in infos.Where(t => !t.IsConstant && t.Index != v.Index))
                    Assert.True(t.Start + t.Bytes <= v.Start || v.Start + v.Bytes <= t.Start,
                        $"tensor {t.Index} [{t.Start},+{t.Bytes}) overlaps variable tensor {v.Index} [{v.Start},+{v.Bytes})");
        }

        [Fact]
        public void Interpreter_ClearsStateAtConstruction_KeepsItAcrossInvoke_ResetStateClearsIt_WithoutAllocating()
        {
            var g = StateGraph(out int state, out int state16);
            var m = Model.Load(Packer.Finish(g, 0).Blob);
            var arena = new byte[m.ArenaBytes];
            for (int i = 0; i < arena.Length; i++) arena[i] = 0xA5; // garbage the constructor must clear in the state tensors
            var it = new Interpreter(m, arena);
            var s = it.GetTensor(state);
            var s16 = it.GetTensor(state16);
            for (int k = 0; k < s.Bytes; k++) Assert.Equal(5, (sbyte)s.Buffer[s.Start + k]);
            for (int k = 0; k < s16.Bytes; k++) Assert.Equal(0, s16.Buffer[s16.Start + k]);

            // The state is an input of the first ADD: out = in + (state - 5) * 0.1 / 0.1 + in. With state = zp it adds 0.
            var input = it.GetInput(0);
            for (int k = 0; k < 8; k++) input.SetInt8(k, k - 4);
            it.Invoke();
            for (int k = 0; k < 8; k++) Assert.Equal(2 * (k - 4), it.GetOutput(0).GetInt8(k));

            // Set a state by hand: Invoke reads it and keeps it (nothing overwrites it).
            for (int k = 0; k < 8; k++) s.SetInt8(k, 5 + 10);
            it.Invoke();
            for (int k = 0; k < 8; k++) Assert.Equal(2 * (k - 4) + 10, it.GetOutput(0).GetInt8(k));
            for (int k = 0; k < 8; k++) Assert.Equal(15, s.GetInt8(k));

            for (int k = 0; k < s16.Bytes; k++) s16.Buffer[s16.Start + k] = 0x7F;
            it.ResetState(); // warm (JIT) before measuring
            for (int k = 0; k < 8; k++) s.SetInt8(k, 100);
            long before = GC.GetAllocatedBytesForCurrentThread();
            it.ResetState();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            for (int k = 0; k < 8; k++) Assert.Equal(5, s.GetInt8(k));
            for (int k = 0; k < s16.Bytes; k++) Assert.Equal(0, s16.Buffer[s16.Start + k]);
        }

        [Fact]
        public void Plan_NeverAliasesAnOperatorOutputOntoAVariableInput()
        {
            var g = StateGraph(out int state, out _);
            Packer.Finish(g, 0);
            Assert.DoesNotContain(g.Plan.AllowedAliases, a => a.Input == state || a.Output == state);
        }

        static byte[] Patch(Action<byte[], int> edit, int tensor)
        {
            var g = StateGraph(out _, out _);
            var blob = Packer.Finish(g, 0).Blob;
            int tensorsAt = Section(blob, BlobFormat.SectionTensors);
            edit(blob, tensorsAt + tensor * BlobFormat.TensorRecordSize);
            BlobWriter.Seal(blob);
            return blob;
        }


        [Fact]
        public void Load_UnknownTensorFlag_IsRejectedNamingTheTensorAndOffset()
        {
            var blob = Patch((b, r) => b[r + BlobFormat.TensorFlagsOffset] = 0x02, 0);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(blob));
            Assert.Contains("tensor 0: unknown tensor flags 0x02", e.Message);
        }

        [Fact]
        public void Load_VariableFlagInABlobDeclaringFormat12_IsAWriterBug()
        {
            var g = StateGraph(out int state, out _);
            var blob = Packer.Finish(g, 0).Blob;
            LittleEndian.WriteUInt16(blob, BlobFormat.OffMinor, 2);
            BlobWriter.Seal(blob);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(blob));
            Assert.Contains($"tensor {state}: is marked variable, which needs format 1.3 but the blob declares 1.2", e.Message);
        }

        [Fact]
        public void Load_VariableConstant_IsRejected()
        {
            // Find a constant tensor in a graph with one (ADD's AddParams come from words, so use the AllOps graph's weights).
            var blob = Packer.Finish(TestGraphs.AllOps(), 0).Blob;
            var m = Model.Load(blob);
            int c = Enumerable.Range(0, m.TensorCount).First(i => m.GetTensor(i).IsConstant);
            int tensorsAt = Section(blob, BlobFormat.SectionTensors);
            blob[tensorsAt + c * BlobFormat.TensorRecordSize + BlobFormat.TensorFlagsOffset] = BlobFormat.TensorFlagVariable;
            BlobWriter.Seal(blob);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(blob));
            Assert.Contains($"tensor {c}: is marked variable but is a constant", e.Message);
        }
    }
}
