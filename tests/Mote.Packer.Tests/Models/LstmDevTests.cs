using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Runtime;
using Mote.Runtime.Format;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Models
{
    public class LstmDevTests
    {
        readonly ITestOutputHelper log;
        public LstmDevTests(ITestOutputHelper log) { this.log = log; }

        static void ResetUnused(Interpreter it)
        {
            var m = it.Model;
            for (int i = 0; i < m.OperatorCount; i++)
            {
                var op = m.GetOperator(i);
                if (op.Code != OpCode.UnidirectionalSequenceLstm) continue;
                var h = it.GetTensor(op.Inputs[18]);
                for (int k = 0; k < h.Bytes; k++) h.Buffer[h.Start + k] = (byte)(sbyte)h.Info.ZeroPoint;
                var c = it.GetTensor(op.Inputs[19]);
                for (int k = 0; k < c.Bytes; k++) c.Buffer[c.Start + k] = 0;
            }
        }

        [SkippableTheory]
        [InlineData("mnist_lstm_int8")]
        [InlineData("micro_speech_lstm")]
        [InlineData("dtln_noise_suppression")]
        public void Dev(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            string dir = SharedModels.VectorDir(model);
            var m = Model.Load(packed.Blob);
            var it = new Interpreter(m);
            using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "layers.json")));
            var entries = layers.RootElement.GetProperty("layers").EnumerateArray().ToList();
            int bad = 0;
            for (int s = 0; s < 8; s++)
            {
                it.ResetState();
                it.GetInput(0).CopyFrom(File.ReadAllBytes(Path.Combine(dir, $"input_{s}.bin")), 0);
                for (int i = 0; i < m.OperatorCount; i++)
                {
                    it.InvokeOperator(i);
                    if (s != 0) continue;
                    var op = m.GetOperator(i);
                    int tensor = entries[i].GetProperty("tensor_index").GetInt32();
                    var view = it.GetTensor(op.Outputs[0]);
                    var expected = File.ReadAllBytes(Path.Combine(dir, "layers_0", $"op{i:D3}_{op.Name.ToLowerInvariant()}_t{tensor}.bin"));
                    var actual = new byte[view.Bytes];
                    view.CopyTo(actual, 0);
                    int diffs = 0, first = -1, maxd = 0;
                    for (int k = 0; k < expected.Length; k++)
                        if (expected[k] != actual[k]) { diffs++; if (first < 0) first = k; maxd = Math.Max(maxd, Math.Abs((sbyte)expected[k] - (sbyte)actual[k])); }
                    log.WriteLine($"{model} op {i} {op.Name}: {diffs}/{expected.Length} differ, first {first}, max diff {maxd}");
                    if (diffs > 0) bad++;
                }
                var outp = new byte[it.GetOutput(0).Bytes];
                it.GetOutput(0).CopyTo(outp, 0);
                var exp = File.ReadAllBytes(Path.Combine(dir, $"output_{s}.bin"));
                bool same = outp.SequenceEqual(exp);
                log.WriteLine($"{model} sample {s}: {(same ? "match" : "DIFFER")}");
                if (!same) bad++;
            }
            Assert.Equal(0, bad);
        }
    }
}
