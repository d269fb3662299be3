//! What a notebook's first cell imports: `use canns::prelude::*;`.

pub use crate::analysis::{centre_1d, centre_2d, height, width_1d, width_2d};
pub use crate::analysis::{tracking_summary, TrackingSummary};
pub use crate::data::{BinnedSpikes, Recording};
pub use crate::display::{
    heatmap, lines, scatter, show, Bundle, Figure, Render, Series, ShowDataFrame as _, Table,
};
pub use crate::embed::{Pca, PcaParams};
pub use crate::error::{Error, ParamError, Result};
pub use crate::models::PlaceCellNetwork;
pub use crate::models::{
    AdaptationDrive, Cann1d, Cann1dParams, Cann2d, Cann2dParams, CannOptions, FeatureMap,
    Integrator, Model, Recurrence,
};
pub use crate::models::{DirectionCellNetwork, GridCellNetwork, ThetaClock};
pub use crate::models::{
    GridCell2DPosition, GridCell2DPositionParams, GridCell2DVelocity, HealSchedule,
    HierarchicalNetwork, SpeedLimit,
};
pub use crate::models::{Hopfield, LifRing, LinearLayer, SpikingLayer};
pub use crate::params::Params;
pub use crate::pipeline::{simulate, simulate_with, SimOptions, Simulation};
pub use crate::spatial::{
    Agent, AgentParams, BoundaryConditions, Environment, GridCells, HeadDirectionCells, PlaceCells,
    RateMaps, RoutePlanner, SpeedCell, Trajectory,
};
pub use crate::tasks::{
    ClosedLoopNavigation, OpenLoopNavigation, PopulationCoding, PopulationCodingParams,
    SmoothTracking, SmoothTrackingParams, Task, TemplateMatching, TemplateMatchingParams,
};
pub use crate::train::{line_angle_deg, patterns, Bcm, Hebbian, LearningRule, Oja, Sanger, Stdp};

// Angles on the ring and the torus.
pub use crate::space::{angle_diff, wrap, TWO_PI};

// Arrays, as the crate's own ndarray version (cells write `Array2`, `array![..]`, `s![..]`).
pub use crate::ndarray::{array, s, Array1, Array2, ArrayView1, ArrayView2};

// Analyses of recordings and simulations.
pub use crate::analysis::activity_rate_maps;
pub use crate::analysis::sheet;
pub use crate::analysis::FixedPointFinder;
pub use crate::analysis::HdTuningParams;
pub use crate::analysis::{active_steps, direction_sweeps, position_sweeps};
pub use crate::analysis::{Decoder, DecodingParams};
pub use crate::tda::{circular_coordinates_of_points, rips, Diagrams, RipsParams};

// Pipelines: attractor signatures, synthetic populations, replay, theta sweeps, sweeps.
pub use crate::analysis::compare_angles;
pub use crate::analysis::{plot_step_distributions, ReplayStats};
pub use crate::pipeline::sweep::{Axis, Sweep};
pub use crate::pipeline::synthetic;
pub use crate::pipeline::ThetaSweep;
pub use crate::pipeline::{
    adaptation_spectrum, ji_1d, ji_1d_params, ji_2d, ji_2d_params, replay_trials,
};
pub use crate::pipeline::{Activity, SignatureParams, Statistic};
pub use crate::tasks::{Replay, ReplayParams};

// The rest of the model zoo.
pub use crate::models::Update;
pub use crate::spatial::{poisson_spikes, GridField, PlaceField};
