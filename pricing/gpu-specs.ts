import { NameRegistry } from './names.js';

/** One accelerator's published datasheet figures (dense, no sparsity). */
export interface GpuSpec {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly vendor: 'nvidia' | 'amd' | 'intel' | 'sambanova';
  readonly memoryGb: number;
  /** Memory bandwidth, GB/s. */
  readonly memoryBandwidthGbps: number;
  /** Dense BF16 tensor TFLOP/s (FP16 where the part has no BF16: T4, V100, RTX 6000). */
  readonly bf16Tflops: number;
  /**
   * GPU-to-GPU bandwidth per device and direction, GB/s (NVLink, Infinity Fabric, Xe Link, RoCE; PCIe where the
   * part has nothing faster): what tensor-parallel all-reduces travel over. PCIe 4.0 x16 (32) when absent.
   */
  readonly interconnectGbps?: number;
}

/** PCIe 4.0 x16, one direction: the interconnect of a part that names none. */
export const DEFAULT_INTERCONNECT_GBPS = 32;

/**
 * Datasheet figures. The names LLM-Inference-Bench uses are aliases: its "Nvidia A100 GPU" ran on
 * ALCF Polaris (A100 SXM4 40 GB), "Nvidia H100 GPU" on H100 SXM 80 GB, and "Intel PVC GPU" is one
 * stack (tile) of a Data Center GPU Max 1550, which is how Aurora exposes it.
 */
export const GPU_SPECS: readonly GpuSpec[] = [
  { id: 'T4', vendor: 'nvidia', memoryGb: 16, memoryBandwidthGbps: 320, bf16Tflops: 65, interconnectGbps: 16, aliases: ['Tesla T4'] },
  { id: 'L4', vendor: 'nvidia', memoryGb: 24, memoryBandwidthGbps: 300, bf16Tflops: 121, interconnectGbps: 32 },
  { id: 'A10', vendor: 'nvidia', memoryGb: 24, memoryBandwidthGbps: 600, bf16Tflops: 125, interconnectGbps: 32 },
  { id: 'A10G', vendor: 'nvidia', memoryGb: 24, memoryBandwidthGbps: 600, bf16Tflops: 70, interconnectGbps: 32 },
  { id: 'L40S', vendor: 'nvidia', memoryGb: 48, memoryBandwidthGbps: 864, bf16Tflops: 362, interconnectGbps: 32 },
  { id: 'L40', vendor: 'nvidia', memoryGb: 48, memoryBandwidthGbps: 864, bf16Tflops: 181, interconnectGbps: 32 },
  { id: 'V100', vendor: 'nvidia', memoryGb: 16, memoryBandwidthGbps: 900, bf16Tflops: 125, interconnectGbps: 150, aliases: ['Tesla V100', 'V100-16GB'] },
  { id: 'RTX6000', vendor: 'nvidia', memoryGb: 24, memoryBandwidthGbps: 672, bf16Tflops: 130, interconnectGbps: 16, aliases: ['Quadro RTX 6000'] },
  { id: 'A6000', vendor: 'nvidia', memoryGb: 48, memoryBandwidthGbps: 768, bf16Tflops: 155, interconnectGbps: 56, aliases: ['RTX A6000'] },
  { id: 'A40', vendor: 'nvidia', memoryGb: 48, memoryBandwidthGbps: 696, bf16Tflops: 150, interconnectGbps: 56 },
  { id: 'RTX4090', vendor: 'nvidia', memoryGb: 24, memoryBandwidthGbps: 1008, bf16Tflops: 165, interconnectGbps: 32, aliases: ['GeForce RTX 4090'] },
  { id: 'L20', vendor: 'nvidia', memoryGb: 48, memoryBandwidthGbps: 864, bf16Tflops: 120, interconnectGbps: 32 },
  { id: 'A100-40GB', vendor: 'nvidia', memoryGb: 40, memoryBandwidthGbps: 1555, bf16Tflops: 312, interconnectGbps: 300, aliases: ['A100', 'A100 SXM4 40GB', 'Nvidia A100 GPU', 'A100-SXM4-40GB'] },
  { id: 'A100-80GB', vendor: 'nvidia', memoryGb: 80, memoryBandwidthGbps: 2039, bf16Tflops: 312, interconnectGbps: 300, aliases: ['A100 80GB', 'A100-SXM4-80GB', 'A100 80GB SXM'] },
  { id: 'H100-PCIe', vendor: 'nvidia', memoryGb: 80, memoryBandwidthGbps: 2000, bf16Tflops: 756, interconnectGbps: 300, aliases: ['H100 PCIe 80GB'] },
  { id: 'H100-SXM', vendor: 'nvidia', memoryGb: 80, memoryBandwidthGbps: 3350, bf16Tflops: 989, interconnectGbps: 450, aliases: ['H100', 'H100 SXM5', 'H100-80GB', 'Nvidia H100 GPU', 'H100 80GB HBM3'] },
  { id: 'H200', vendor: 'nvidia', memoryGb: 141, memoryBandwidthGbps: 4800, bf16Tflops: 989, interconnectGbps: 450, aliases: ['H200 SXM', 'H200-141GB'] },
  { id: 'GH200', vendor: 'nvidia', memoryGb: 96, memoryBandwidthGbps: 4000, bf16Tflops: 989, interconnectGbps: 450, aliases: ['GH200 Grace Hopper'] },
  { id: 'H20', vendor: 'nvidia', memoryGb: 96, memoryBandwidthGbps: 4000, bf16Tflops: 148, interconnectGbps: 450 },
  { id: 'B200', vendor: 'nvidia', memoryGb: 180, memoryBandwidthGbps: 8000, bf16Tflops: 2250, interconnectGbps: 900, aliases: ['B200 Blackwell', 'B200 SXM6'] },
  { id: 'MI210', vendor: 'amd', memoryGb: 64, memoryBandwidthGbps: 1638, bf16Tflops: 181, interconnectGbps: 150 },
  { id: 'MI250', vendor: 'amd', memoryGb: 128, memoryBandwidthGbps: 3277, bf16Tflops: 362, interconnectGbps: 200, aliases: ['AMD MI250 GPU', 'MI250X'] },
  { id: 'MI300X', vendor: 'amd', memoryGb: 192, memoryBandwidthGbps: 5300, bf16Tflops: 1307, interconnectGbps: 448, aliases: ['AMD MI300X GPU'] },
  { id: 'MI325X', vendor: 'amd', memoryGb: 256, memoryBandwidthGbps: 6000, bf16Tflops: 1307, interconnectGbps: 448 },
  { id: 'Gaudi2', vendor: 'intel', memoryGb: 96, memoryBandwidthGbps: 2450, bf16Tflops: 432, interconnectGbps: 300, aliases: ['Habana Gaudi2', 'HL-225'] },
  { id: 'Gaudi3', vendor: 'intel', memoryGb: 128, memoryBandwidthGbps: 3700, bf16Tflops: 1835, interconnectGbps: 600, aliases: ['Intel Gaudi 3', 'HL-325L'] },
  { id: 'Max1550', vendor: 'intel', memoryGb: 128, memoryBandwidthGbps: 3277, bf16Tflops: 838, interconnectGbps: 225, aliases: ['Intel Max 1550', 'Data Center GPU Max 1550'] },
  { id: 'Max1550-Stack', vendor: 'intel', memoryGb: 64, memoryBandwidthGbps: 1638, bf16Tflops: 419, interconnectGbps: 225, aliases: ['Intel PVC GPU', 'PVC', 'Ponte Vecchio'] },
  { id: 'SN40L', vendor: 'sambanova', memoryGb: 64, memoryBandwidthGbps: 1600, bf16Tflops: 638, interconnectGbps: 64, aliases: ['SambaNova SN40L'] },
];

export type GpuSpecTable = NameRegistry<GpuSpec>;

export function createGpuSpecTable(specs: readonly GpuSpec[] = GPU_SPECS): GpuSpecTable {
  return new NameRegistry(specs, 'UNKNOWN_GPU', 'GPU');
}
