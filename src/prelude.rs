//! What a notebook's first cell imports: `use canns::prelude::*;`.

pub use crate::analysis::bump::{centre_1d, centre_2d, height, width_1d, width_2d};
pub use crate::analysis::tracking::{tracking_summary, TrackingSummary};
pub use crate::data::{BinnedSpikes, Recording};
pub use crate::display::{show, Bundle, Figure, Render, Table};
pub use crate::embed::{Pca, PcaParams};
pub use crate::error::{Error, ParamError, Result};
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
pub use crate::train::{Bcm, Hebbian, LearningRule, Oja, Sanger, Stdp};
