/**
 * Built-in GPU prices in USD per GPU-hour (instance price / GPU count), typed from the providers'
 * public price lists on `asOf`. Spot prices only where the provider publishes them.
 * `estimate` rows have no public list price: they scale a listed part by dense BF16 TFLOP/s,
 * as the row's source says, so that history on those parts can still be priced.
 */
export interface GpuPriceRow {
  gpu: string;
  provider: string;
  region: string;
  instance?: string;
  onDemand: number;
  spot?: number;
  asOf: string;
  source: string;
  estimate?: boolean;
}

const AWS = 'https://aws.amazon.com/ec2/pricing/on-demand/ (spot: https://aws.amazon.com/ec2/spot/pricing/)';
const GCP = 'https://cloud.google.com/compute/gpus-pricing';
const LAMBDA = 'https://lambda.ai/pricing';
const AZURE = 'https://azure.microsoft.com/pricing/details/virtual-machines/linux/';
const INTEL = 'https://ai.cloud.intel.com/ (Intel Tiber AI Cloud price list)';

const aws = (gpu: string, instance: string, gpus: number, onDemand: number, spot?: number): GpuPriceRow => ({
  gpu, provider: 'aws', region: 'us-east-1', instance, onDemand: round6(onDemand / gpus), spot: spot === undefined ? undefined : round6(spot / gpus), asOf: '2026-01-15', source: AWS,
});
const lambda = (gpu: string, instance: string, gpus: number, onDemand: number): GpuPriceRow => ({
  gpu, provider: 'lambda', region: 'us-east-1', instance, onDemand: round6(onDemand / gpus), asOf: '2026-07-01', source: LAMBDA,
});
const gcp = (gpu: string, onDemand: number, spot: number): GpuPriceRow => ({ gpu, provider: 'gcp', region: 'us-central1', onDemand, spot, asOf: '2025-09-01', source: GCP });

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export const GPU_PRICE_ROWS: GpuPriceRow[] = [
  aws('T4', 'g4dn.xlarge', 1, 0.526, 0.2104),
  aws('L4', 'g6.xlarge', 1, 0.8048, 0.3219),
  aws('A10G', 'g5.xlarge', 1, 1.006, 0.4024),
  aws('L40S', 'g6e.xlarge', 1, 1.861, 0.7444),
  aws('A100-40GB', 'p4d.24xlarge', 8, 21.957642, 8.783),
  aws('A100-80GB', 'p4de.24xlarge', 8, 27.44705),
  aws('H100-SXM', 'p5.48xlarge', 8, 55.04, 22.016),
  aws('H200', 'p5en.48xlarge', 8, 63.296),
  aws('B200', 'p6-b200.48xlarge', 8, 113.9328),
  aws('V100', 'p3.2xlarge', 1, 3.06, 1.224),
  gcp('T4', 0.35, 0.14),
  gcp('L4', 0.56, 0.224),
  gcp('A100-40GB', 2.934, 1.1736),
  gcp('A100-80GB', 3.93, 1.572),
  gcp('H100-SXM', 11.06, 2.25),
  gcp('H200', 10.85, 3.72),
  lambda('A10', 'gpu_1x_a10', 1, 1.29),
  lambda('A6000', 'gpu_1x_a6000', 1, 1.09),
  lambda('RTX6000', 'gpu_1x_rtx6000', 1, 0.69),
  lambda('A100-40GB', 'gpu_8x_a100', 8, 15.92),
  lambda('A100-80GB', 'gpu_8x_a100_80gb_sxm4', 8, 22.32),
  lambda('H100-PCIe', 'gpu_1x_h100_pcie', 1, 3.29),
  lambda('H100-SXM', 'gpu_8x_h100_sxm5', 8, 31.92),
  lambda('GH200', 'gpu_1x_gh200', 1, 2.29),
  lambda('B200', 'gpu_8x_b200_sxm6', 8, 53.52),
  { gpu: 'L40', provider: 'aws', region: 'us-east-1', instance: 'g6e-class estimate', onDemand: 1.2, asOf: '2026-01-15', source: 'L40S list price x (181 / 362) dense BF16 TFLOP/s, floored at A10G', estimate: true },
  { gpu: 'MI300X', provider: 'azure', region: 'eastus', instance: 'ND MI300X v5', onDemand: 6.0, asOf: '2025-06-01', source: AZURE },
  { gpu: 'Gaudi2', provider: 'intel', region: 'us-region-1', instance: 'Gaudi2 8-card node', onDemand: 1.3, asOf: '2025-03-01', source: INTEL },
  { gpu: 'MI250', provider: 'estimate', region: 'any', onDemand: 1.66, asOf: '2025-06-01', source: 'Azure MI300X list price x (362 / 1307) dense BF16 TFLOP/s', estimate: true },
  { gpu: 'Max1550', provider: 'estimate', region: 'any', onDemand: 2.56, asOf: '2025-03-01', source: 'Intel Gaudi2 list price x (838 / 432) dense BF16 TFLOP/s', estimate: true },
  { gpu: 'Max1550-Stack', provider: 'estimate', region: 'any', onDemand: 1.28, asOf: '2025-03-01', source: 'half of the Max 1550 estimate (one of its two stacks)', estimate: true },
  { gpu: 'SN40L', provider: 'estimate', region: 'any', onDemand: 1.92, asOf: '2025-03-01', source: 'Intel Gaudi2 list price x (638 / 432) dense BF16 TFLOP/s', estimate: true },
];
