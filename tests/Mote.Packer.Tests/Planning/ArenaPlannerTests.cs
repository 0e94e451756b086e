using System;
using System.Collections.Generic;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Packer.Tests.Models;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Packer.Tests.Planning
{
    /// <summary>The planner's invariant: tensors live at the same step never share a byte.</summary>
    public class ArenaPlannerTests
    {
        static void AssertNoLiveOverlap(PackGraph g)
        {
            var lives = ArenaPlanner.Lifetimes(g);
            foreach (var a in lives)
            {
                var ta = g.Tensors[a.Tensor];
                Assert.True(ta.ArenaOffset >= 0 && ta.ArenaOffset % 16 == 0, $"tensor {a.Tensor} offset {ta.ArenaOffset}");
                Assert.True(ta.ArenaOffset + ta.Bytes <= g.ArenaBytes, $"tensor {a.Tensor} ends past the arena");
                foreach (var b in lives)
                {
                    if (a.Tensor >= b.Tensor || a.Last < b.First || b.Last < a.First) continue;
                    var tb = g.Tensors[b.Tensor];
                    bool disjoint = ta.ArenaOffset + ta.Bytes <= tb.ArenaOffset || tb.ArenaOffset + tb.Bytes <= ta.ArenaOffset;
                    Assert.True(disjoint, $"tensors {a.Tensor} [{a.First},{a.Last}] and {b.Tensor} [{b.First},{b.Last}] are live together and overlap");
                }
            }
            Assert.True(g.ArenaBytes >= ArenaPlanner.LowerBound(g));
        }

        [Fact]
        public void Plan_HandComputedChain_ReusesDeadBuffers()
        {
            // in(100) -> a(200) -> b(50) -> out(30). Step 0 needs in+a (112+200 aligned: 112 is 100 rounded to 16),
            // step 1 needs a+b, step 2 needs b+out. Largest first: a at 0; in at 208 (after a, 200 -> 208);
            // b (live with a) at 208; out (live with b, not with a or in) at 0. Arena = 208 + 112 = 320.
            var g = new PackGraph();
            int T(int bytes) => g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { bytes } }).Index;
            int i = T(100), a = T(200), b = T(50), o = T(30);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            g.Operators.Add(new PackOperator { Inputs = new[] { i }, Outputs = new[] { a } });
            g.Operators.Add(new PackOperator { Inputs = new[] { a }, Outputs = new[] { b } });
            g.Operators.Add(new PackOperator { Inputs = new[] { b }, Outputs = new[] { o } });
            ArenaPlanner.Plan(g);
            Assert.Equal(0, g.Tensors[a].ArenaOffset);
            Assert.Equal(208, g.Tensors[i].ArenaOffset);
            Assert.Equal(208, g.Tensors[b].ArenaOffset);
            Assert.Equal(0, g.Tensors[o].ArenaOffset);
            Assert.Equal(320, g.ArenaBytes);
            Assert.Equal(300, ArenaPlanner.LowerBound(g));
            AssertNoLiveOverlap(g);
        }

        [Fact]
        public void Plan_RandomGraphs_NoLiveTensorsOverlap()
        {
            var rng = new Random(42);
            for (int trial = 0; trial < 300; trial++)
            {
                var g = new PackGraph();
                int inputs = 1 + rng.Next(3);
                var available = new List<int>();
                for (int k = 0; k < inputs; k++)
                    available.Add(g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1 + rng.Next(5000) } }).Index);
                g.Inputs = available.ToArray();
                int ops = 1 + rng.Next(25);
                for (int k = 0; k < ops; k++)
                {
                    int nin = 1 + rng.Next(Math.Min(3, available.Count));
                    var ins = new int[nin];
                    for (int j = 0; j < nin; j++) ins[j] = available[rng.Next(available.Count)];
                    int o = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1 + rng.Next(5000) } }).Index;
                    g.Operators.Add(new PackOperator { Inputs = ins, Outputs = new[] { o } });
                    available.Add(o);
                }
                g.Outputs = new[] { available[^1], available[rng.Next(available.Count)] };
                ArenaPlanner.Plan(g);
                AssertNoLiveOverlap(g);
            }
        }

        [Fact]
        public void Plan_AllOpsTestGraph_NoLiveTensorsOverlap()
        {
            var g = Blob.TestGraphs.AllOps();
            ArenaPlanner.Plan(g);
            AssertNoLiveOverlap(g);
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void Plan_SharedModel_NoLiveTensorsOverlap(string model)
        {
            var r = SharedModels.Pack(SharedModels.ModelPath(model));
            AssertNoLiveOverlap(r.Graph);
        }
    }
}
